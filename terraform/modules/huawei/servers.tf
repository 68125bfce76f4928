# The nodes, spread over the region's availability zones, each with an
# elastic IP (the k3s install needs the internet, the WireGuard gateway a
# public address).

resource "huaweicloud_kps_keypair" "break_glass" {
  count      = var.ssh_public_key == "" ? 0 : 1
  name       = local.cluster
  public_key = var.ssh_public_key
}

resource "huaweicloud_compute_instance" "control_plane" {
  count              = var.control_plane_count
  name               = "${local.cluster}-cp-${count.index}"
  image_id           = data.huaweicloud_images_image.ubuntu.id
  flavor_id          = var.control_plane_size
  availability_zone  = local.zones[count.index % length(local.zones)]
  security_group_ids = [huaweicloud_networking_secgroup.nodes.id]
  key_pair           = one(huaweicloud_kps_keypair.break_glass[*].name)
  user_data          = local.control_plane_user_data[count.index]
  tags               = merge(local.tags, { "openova.io-node-role" = "control-plane" })
  # Read once, at creation: a later change (its cloud-init, a newer
  # image, another key) must not replace a running node (servers.tf of
  # the Hetzner module says why).
  lifecycle {
    ignore_changes = [user_data, image_id, key_pair]
  }
  network {
    uuid        = huaweicloud_vpc_subnet.nodes.id
    fixed_ip_v4 = local.control_plane_ips[count.index]
  }
}

resource "huaweicloud_compute_instance" "worker" {
  count              = var.worker_count
  name               = "${local.cluster}-worker-${count.index}"
  image_id           = data.huaweicloud_images_image.ubuntu.id
  flavor_id          = var.worker_size
  availability_zone  = local.zones[count.index % length(local.zones)]
  security_group_ids = [huaweicloud_networking_secgroup.nodes.id]
  key_pair           = one(huaweicloud_kps_keypair.break_glass[*].name)
  user_data          = local.worker_user_data[count.index]
  tags               = merge(local.tags, { "openova.io-node-role" = "worker" })
  # Read once, at creation: a later change (its cloud-init, a newer
  # image, another key) must not replace a running node (servers.tf of
  # the Hetzner module says why).
  lifecycle {
    ignore_changes = [user_data, image_id, key_pair]
  }
  network {
    uuid        = huaweicloud_vpc_subnet.nodes.id
    fixed_ip_v4 = local.worker_ips[count.index]
  }
}

resource "huaweicloud_vpc_eip" "control_plane" {
  count = var.control_plane_count
  name  = "${local.cluster}-cp-${count.index}"
  publicip {
    type = "5_bgp"
  }
  bandwidth {
    name        = "${local.cluster}-cp-${count.index}"
    size        = var.huaweicloud_eip_bandwidth_mbit
    share_type  = "PER"
    charge_mode = "traffic"
  }
  tags = local.tags
}

resource "huaweicloud_compute_eip_associate" "control_plane" {
  count       = var.control_plane_count
  public_ip   = huaweicloud_vpc_eip.control_plane[count.index].address
  instance_id = huaweicloud_compute_instance.control_plane[count.index].id
}

resource "huaweicloud_vpc_eip" "worker" {
  count = var.worker_count
  name  = "${local.cluster}-worker-${count.index}"
  publicip {
    type = "5_bgp"
  }
  bandwidth {
    name        = "${local.cluster}-worker-${count.index}"
    size        = var.huaweicloud_eip_bandwidth_mbit
    share_type  = "PER"
    charge_mode = "traffic"
  }
  tags = local.tags
}

resource "huaweicloud_compute_eip_associate" "worker" {
  count       = var.worker_count
  public_ip   = huaweicloud_vpc_eip.worker[count.index].address
  instance_id = huaweicloud_compute_instance.worker[count.index].id
}
