provider "aws" {
  region = "us-east-1"
}

resource "aws_iam_account_alias" "this" {
  account_alias = "acme"
}
