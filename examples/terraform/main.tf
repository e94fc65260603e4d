# Swarm workers on AWS: the user data is cloud-init, and its runcmd joins the swarm.
resource "aws_instance" "swarm_worker" {
  count         = 3
  ami           = var.ami
  instance_type = "t3.large"

  user_data = <<-EOT
    #cloud-config
    write_files:
      - path: /etc/docker/daemon.json
        content: |
          {
            "live-restore": true,
            "log-driver": "local"
          }
    runcmd:
      - docker swarm join --token "$(cat /run/swarm-worker-token)" 10.20.0.10:2377
  EOT
}
