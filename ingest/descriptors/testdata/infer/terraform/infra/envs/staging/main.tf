# The provider comes first; the backend is still read.
provider "aws" {
  region = "eu-west-1"
}

terraform {
  backend "s3" {
    bucket = "acme-tfstate"
    key    = "/staging/terraform.tfstate"
    region = "eu-west-1"
  }
}
