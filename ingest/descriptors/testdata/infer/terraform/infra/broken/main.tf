terraform {
  backend "s3" {
