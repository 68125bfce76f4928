terraform {
  required_version = ">= 1.10.0"
  required_providers {
    # 6.34.0 (2025-04-09) as listed in oracle/terraform-provider-oci's
    # CHANGELOG.md; the provider is not served here, so this module is
    # checked for syntax and the contract only (see the README).
    oci = {
      source  = "oracle/oci"
      version = "= 6.34.0"
    }
  }
}

# Credentials come from OCI_TENANCY_OCID, OCI_USER_OCID, OCI_FINGERPRINT and
# OCI_PRIVATE_KEY, set by the runner for the tofu process only.
provider "oci" {
  region = var.region
}

variable "oci_compartment_id" {
  description = "The OCID of the compartment every resource goes into (OCI-specific)."
  type        = string
}

variable "oci_flex_ocpus" {
  description = "OCPUs per node for flexible shapes (OCI-specific)."
  type        = number
  default     = 2
}

variable "oci_flex_memory_gbs" {
  description = "Memory in GB per node for flexible shapes (OCI-specific)."
  type        = number
  default     = 8
}
