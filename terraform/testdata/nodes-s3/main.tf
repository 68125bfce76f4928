# A module with no provider (OpenTofu's built-in terraform_data): one
# resource per name, and a resource whose creation takes var.hold (the
# runner tests hold the state lock with it).
variable "names" {
  type = list(string)
}

variable "hold" {
  type    = string
  default = "0"
}

resource "terraform_data" "node" {
  for_each = toset(var.names)
  input    = each.key
}

resource "terraform_data" "slow" {
  input = var.hold
  provisioner "local-exec" {
    command = "sleep ${var.hold}"
  }
}

output "nodes" {
  value = sort([for n in terraform_data.node : n.output])
}
