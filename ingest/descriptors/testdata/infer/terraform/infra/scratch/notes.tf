locals {
  owners = ["platform"]
}
