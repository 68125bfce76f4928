terraform {
  required_version = ">= 1.10.0"
  required_providers {
    hcloud = {
      source  = "hetznercloud/hcloud"
      version = "= 1.68.0"
    }
  }
}

# The token comes from HCLOUD_TOKEN and a non-default API from
# HCLOUD_ENDPOINT, both set by the runner for the tofu process only.
provider "hcloud" {
  poll_interval = var.hcloud_poll_interval
  poll_function = var.hcloud_poll_function
}

variable "hcloud_poll_interval" {
  description = "How often the provider polls an action (Hetzner-specific)."
  type        = string
  default     = "1s"
}

variable "hcloud_poll_function" {
  description = "exponential (the provider's default) or constant (Hetzner-specific)."
  type        = string
  default     = "exponential"
}
