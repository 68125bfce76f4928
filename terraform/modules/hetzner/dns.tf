# The manager's DNS record, when the platform's domain is in a zone of
# this Hetzner project's DNS (var.dns_zone): manager.<domain> A the load
# balancer's address, made by the primary region only (the manager runs
# there). Without a zone the bootstrap's final page names the record for
# the user to create. The zone is read, never created or changed: it
# holds the user's other records.

data "hcloud_zone" "platform" {
  count = var.dns_zone != "" && var.role == "primary" ? 1 : 0
  name  = var.dns_zone
}

resource "hcloud_zone_rrset" "manager" {
  count = length(data.hcloud_zone.platform)
  zone  = data.hcloud_zone.platform[0].name
  # Relative to the zone: "manager" when the domain is the zone itself.
  name    = trimsuffix("manager.${var.domain}", ".${var.dns_zone}")
  type    = "A"
  ttl     = 300
  labels  = local.labels
  records = [{ value = local.load_balancer_ip }]
}
