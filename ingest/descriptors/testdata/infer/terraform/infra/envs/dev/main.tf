# A partial configuration: bucket and key come from -backend-config at init.
terraform {
  backend "s3" {}
}
