source "amazon-ebs" "docker" {
  ami_name      = "docker-host-{{timestamp}}"
  instance_type = "t3.medium"
  region        = "eu-west-1"
  source_ami    = "ami-0123456789abcdef0"
  ssh_username  = "ubuntu"
}

build {
  name    = "docker-host"
  sources = ["source.amazon-ebs.docker"]

  provisioner "shell" {
    inline = [
      "curl -fsSL https://get.docker.com | sudo VERSION=27.5.1 sh",
      "sudo apt-mark hold docker-ce docker-ce-cli",
      "echo '{\"live-restore\": true, \"storage-driver\": \"overlay2\", \"log-driver\": \"local\"}' | sudo tee /etc/docker/daemon.json",
    ]
  }
}
