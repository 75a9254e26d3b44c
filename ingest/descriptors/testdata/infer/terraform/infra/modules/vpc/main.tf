provider "aws" {}
resource "aws_vpc" "this" {}
