# The nodes, spread over the region's availability domains.

resource "oci_core_instance" "control_plane" {
  count               = var.control_plane_count
  display_name        = "${local.cluster}-cp-${count.index}"
  compartment_id      = var.oci_compartment_id
  availability_domain = local.ads[count.index % length(local.ads)]
  shape               = var.control_plane_size
  freeform_tags       = merge(local.tags, { "openova.io-node-role" = "control-plane" })
  dynamic "shape_config" {
    for_each = endswith(var.control_plane_size, ".Flex") ? [1] : []
    content {
      ocpus         = var.oci_flex_ocpus
      memory_in_gbs = var.oci_flex_memory_gbs
    }
  }
  source_details {
    source_type = "image"
    source_id   = data.oci_core_images.ubuntu.images[0].id
  }
  create_vnic_details {
    subnet_id        = oci_core_subnet.nodes.id
    assign_public_ip = true
    private_ip       = local.control_plane_ips[count.index]
  }
  metadata = {
    ssh_authorized_keys = var.ssh_public_key
    user_data           = base64encode(local.control_plane_user_data[count.index])
  }
  # Read once, at creation: a later change (its cloud-init, a newer
  # image, another key) must not replace a running node (servers.tf of
  # the Hetzner module says why).
  lifecycle {
    ignore_changes = [metadata, source_details]
  }
}

resource "oci_core_instance" "worker" {
  count               = var.worker_count
  display_name        = "${local.cluster}-worker-${count.index}"
  compartment_id      = var.oci_compartment_id
  availability_domain = local.ads[count.index % length(local.ads)]
  shape               = var.worker_size
  freeform_tags       = merge(local.tags, { "openova.io-node-role" = "worker" })
  dynamic "shape_config" {
    for_each = endswith(var.worker_size, ".Flex") ? [1] : []
    content {
      ocpus         = var.oci_flex_ocpus
      memory_in_gbs = var.oci_flex_memory_gbs
    }
  }
  source_details {
    source_type = "image"
    source_id   = data.oci_core_images.ubuntu.images[0].id
  }
  create_vnic_details {
    subnet_id        = oci_core_subnet.nodes.id
    assign_public_ip = true
    private_ip       = local.worker_ips[count.index]
  }
  metadata = {
    ssh_authorized_keys = var.ssh_public_key
    user_data           = base64encode(local.worker_user_data[count.index])
  }
  # Read once, at creation: a later change (its cloud-init, a newer
  # image, another key) must not replace a running node (servers.tf of
  # the Hetzner module says why).
  lifecycle {
    ignore_changes = [metadata, source_details]
  }
}
