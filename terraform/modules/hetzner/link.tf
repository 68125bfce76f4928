# The region's end of the WireGuard link to the other region (var.link):
# cp-0 is the gateway. Its public address is a Primary IP, which exists
# apart from the server, so the bootstrap creates both regions' first
# (apply -target=hcloud_primary_ip.gateway), renders each gateway's
# wg0.conf naming the other's address, and only then creates the servers:
# both files are complete at first boot. Every resource here is already in
# the plan shown for approval (peer address still ""), at the same address,
# so the full apply stays within the approved plan.

resource "hcloud_primary_ip" "gateway" {
  count         = var.link == null ? 0 : 1
  name          = "${local.cluster}-gateway"
  type          = "ipv4"
  location      = var.region # not the deprecated datacenter
  assignee_type = "server"
  # Kept when cp-0 is replaced, so the other side's wg0.conf stays right;
  # the destroy of the region deletes it after the server.
  auto_delete = false
  labels      = merge(local.labels, { "openova.io/node-role" = "gateway" })
}

# The other region's node, pod and service networks go to the gateway's
# private address; Hetzner's network delivers them there from every node.
# The destinations are any private ranges (outside this network's own too)
# that overlap none of its subnets.
resource "hcloud_network_route" "peer" {
  for_each    = toset(var.link == null ? [] : var.link.peer_cidrs)
  network_id  = hcloud_network.nodes.id
  destination = each.value
  gateway     = local.control_plane_ips[0]
  depends_on  = [hcloud_network_subnet.nodes]
}
