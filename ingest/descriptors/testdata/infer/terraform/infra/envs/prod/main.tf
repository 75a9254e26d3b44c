# Production network and databases.
terraform {
  required_version = ">= 1.6"

  backend "s3" {
    bucket = "acme-tfstate"
    key    = "prod/terraform.tfstate"
  }
}

module "vpc" {
  source = "../../modules/vpc"
}
