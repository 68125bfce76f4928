terraform {
  required_version = ">= 1.10.0"
  required_providers {
    # 1.67.0 (2024-07-30) as listed in huaweicloud/terraform-provider-
    # huaweicloud's CHANGELOG.md; the provider is not served here, so this
    # module is checked for syntax and the contract only (see the README).
    huaweicloud = {
      source  = "huaweicloud/huaweicloud"
      version = "= 1.67.0"
    }
  }
}

# Credentials come from HW_ACCESS_KEY and HW_SECRET_KEY, set by the runner
# for the tofu process only.
provider "huaweicloud" {
  region = var.region
}

variable "huaweicloud_eip_bandwidth_mbit" {
  description = "Bandwidth of each node's and the load balancer's elastic IP, Mbit/s (Huawei-specific)."
  type        = number
  default     = 100
}
