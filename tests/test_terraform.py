"""Terraform: user data of each resource, read exactly (heredocs, escapes, templatefile(),
cloudinit_config), one host per resource, and nothing evaluated or read outside the project."""

from __future__ import annotations

import base64
import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from dlint_docker import hookimpl
from dlint_docker.document import Document
from dlint_docker.fragments import EnginePackage, SwarmMembership
from dlint_docker.scan import Options, run
from dlint_docker.source import Source
from dlint_docker.sources import ReadContext
from dlint_docker.sources.terraform import TerraformKind

from .helpers import write_tree
from .helpers import at, only, where


@hookimpl
def dlint_source_kinds():
    """Registers the Terraform kind for these tests, unless the core already does."""
    from dlint_docker.builtin import dlint_source_kinds as core

    return [] if any(kind.name == TerraformKind.name for kind in core()) else [TerraformKind()]


def scan(root: Path, paths=()):
    return run(Options(paths=list(paths), cwd=root, plugins=["tests.test_terraform"]))


def source_for(root: Path, rel: str) -> Source:
    path = root / rel
    return Source(path, rel, rel, "terraform", path.read_bytes())


def extract(root: Path, files: dict, rel: str = "main.tf"):
    write_tree(root, files)
    return TerraformKind().extract(source_for(root, rel))


def located(document: Document, text_index: int):
    location = document.location(text_index)
    return location.path, location.line, location.column


# ------------------------------------------------------------------------------------------
# Values: heredocs, quoted strings, templates


HEREDOC_TF = '''\
resource "aws_instance" "web" {
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.small"
  user_data     = <<-EOF
    #cloud-config
    write_files:
      - path: /etc/docker/daemon.json
        content: |
          {"live-restore": true, "tls-verify": true}
    EOF
}
'''


def test_flush_heredoc_is_dedented_and_maps_exactly(tmp_path):
    out = extract(tmp_path, {"main.tf": HEREDOC_TF})
    (embedded,) = out.embedded
    assert embedded.kind == "cloud-init" and embedded.group == "main.tf › aws_instance.web"
    assert embedded.templated is False and embedded.reference is None
    text = embedded.document.text
    assert text.startswith("#cloud-config\nwrite_files:\n  - path: /etc/docker/daemon.json\n")
    assert text.endswith('{"live-restore": true, "tls-verify": true}\n')  # HCL keeps the last newline
    index = text.index('"tls-verify"')
    assert located(embedded.document, index) == ("main.tf", *at(HEREDOC_TF, '"tls-verify"'))
    assert embedded.document.label == "aws_instance.web.user_data"


def test_plain_heredoc_keeps_its_indentation_and_crlf(tmp_path):
    tf = 'resource "hcloud_server" "node" {\r\n  user_data = <<EOT\r\n  #cloud-config\r\n  runcmd: []\r\nEOT\r\n}\r\n'
    (embedded,) = extract(tmp_path, {"main.tf": tf}).embedded
    assert embedded.document.text == "  #cloud-config\r\n  runcmd: []\r\n"
    assert embedded.kind == "cloud-init"  # cloud-init left-strips before it looks at the header


@pytest.mark.parametrize(
    "body, expected",
    [
        ("    #!/bin/sh\n      docker info\n\n    echo done\n", "#!/bin/sh\n  docker info\n\necho done\n"),
        ("\t#!/bin/sh\n\t  docker info\n", "#!/bin/sh\n  docker info\n"),  # a tab counts as one
        ("  #!/bin/sh\n${var.first_line}\n  docker info\n", "  #!/bin/sh\n${var.first_line}\n  docker info\n"),  # ${ at a line start: 0
        ("    #!/bin/sh\n  ${var.cmd}\n    docker info\n", "  #!/bin/sh\n${var.cmd}\n  docker info\n"),  # spaces before ${ count
        ("    #!/bin/sh\n   \n    docker info\n", "#!/bin/sh\n   \ndocker info\n"),  # white-space-only lines: ignored, and left as they are
    ],
)
def test_flush_heredoc_dedent_rule(tmp_path, body, expected):
    tf = f'resource "aws_instance" "a" {{\n  user_data = <<-EOF\n{body}  EOF\n}}\n'
    (embedded,) = extract(tmp_path, {"main.tf": tf}).embedded
    assert embedded.document.text == expected
    for index, char in enumerate(expected):
        if char != "\n":
            _, line, column = located(embedded.document, index)
            assert tf.splitlines()[line - 1][column - 1] == char


def test_quoted_string_escapes_map_piece_by_piece(tmp_path):
    tf = 'resource "aws_instance" "a" {\n  user_data = "#!/bin/bash\\necho \\"{\\\\\\"debug\\\\\\": true}\\" > /etc/docker/daemon.json\\n"\n}\n'
    (embedded,) = extract(tmp_path, {"main.tf": tf}).embedded
    text = embedded.document.text
    assert text == '#!/bin/bash\necho "{\\"debug\\": true}" > /etc/docker/daemon.json\n'
    assert embedded.kind == "cloud-init"  # a #! script is user data cloud-init runs
    index = text.index("echo")
    assert located(embedded.document, index) == ("main.tf", *at(tf, "echo"))
    index = text.index("/etc/docker")
    assert located(embedded.document, index) == ("main.tf", *at(tf, "/etc/docker"))


def test_template_sequences_stay_as_written_and_escapes_are_unescaped(tmp_path):
    tf = (
        'resource "aws_instance" "a" {\n'
        "  user_data = <<-EOF\n"
        "    #cloud-config\n"
        "    runcmd:\n"
        "      - echo $${HOME} %%{literal}\n"
        "      - echo ${var.cluster_name}\n"
        "    %{ if var.swarm ~}\n"
        "      - docker swarm init\n"
        "    %{ endif ~}\n"
        "    EOF\n"
        "}\n"
    )
    (embedded,) = extract(tmp_path, {"main.tf": tf}).embedded
    text = embedded.document.text
    assert "echo ${HOME} %{literal}\n" in text
    assert "echo ${var.cluster_name}\n" in text and "%{ if var.swarm ~}" in text
    assert embedded.templated is True
    index = text.index("{HOME}")
    assert located(embedded.document, index) == ("main.tf", *at(tf, "{HOME}"))


def test_only_escapes_is_not_templated(tmp_path):
    tf = 'resource "aws_instance" "a" {\n  user_data = <<-EOF\n    #!/bin/sh\n    echo $${HOME}\n  EOF\n}\n'
    (embedded,) = extract(tmp_path, {"main.tf": tf}).embedded
    assert embedded.document.text == "#!/bin/sh\necho ${HOME}\n" and embedded.templated is False


def test_non_ascii_before_the_value_keeps_columns(tmp_path):
    tf = '# Überprüfung — café\nresource "aws_instance" "a" {\n  tags = { Name = "naïve ☃" }\n  user_data = "#cloud-config\\nruncmd: [\\"docker info\\"]\\n"\n}\n'
    (embedded,) = extract(tmp_path, {"main.tf": tf}).embedded
    text = embedded.document.text
    assert located(embedded.document, text.index("docker info")) == ("main.tf", *at(tf, "docker info"))


def test_interpolation_alone_is_the_expression(tmp_path):
    tf = (
        'data "template_file" "init" {\n  template = <<-EOF\n    #cloud-config\n    runcmd: ["docker info"]\n  EOF\n}\n'
        'resource "aws_instance" "a" {\n  user_data = "${data.template_file.init.rendered}"\n}\n'
    )
    (embedded,) = extract(tmp_path, {"main.tf": tf}).embedded
    assert embedded.document.text == '#cloud-config\nruncmd: ["docker info"]\n'
    assert embedded.document.label == "aws_instance.a.user_data › data.template_file.init.rendered › template"
    assert embedded.group == "main.tf › aws_instance.a"


def test_locals_are_followed(tmp_path):
    tf = (
        'locals {\n  docker_user_data = <<-EOT\n    #cloud-config\n    packages: [docker-ce]\n  EOT\n}\n'
        'resource "digitalocean_droplet" "d" {\n  user_data = local.docker_user_data\n}\n'
    )
    (embedded,) = extract(tmp_path, {"main.tf": tf}).embedded
    assert embedded.document.label == "digitalocean_droplet.d.user_data › local.docker_user_data"
    assert located(embedded.document, 0) == ("main.tf", *at(tf, "#cloud-config"))


def test_variables_and_resource_attributes_are_unknown(tmp_path):
    tf = 'resource "aws_instance" "a" {\n  user_data = var.user_data\n}\nresource "aws_instance" "b" {\n  user_data = [for line in var.lines : line]\n}\n'
    out = extract(tmp_path, {"main.tf": tf})
    assert out.embedded == []
    assert any("var.user_data is not known before Terraform runs" in note for note in out.notes)
    assert any("aws_instance.b.user_data: not a literal value" in note for note in out.notes)


def test_conditional_branches_are_machines_of_their_own(tmp_path):
    tf = (
        'data "cloudinit_config" "default" {\n  part {\n    content = "#cloud-config\\nruncmd: [docker info]\\n"\n  }\n}\n'
        'resource "openstack_compute_instance_v2" "nodes" {\n'
        "  for_each  = var.nodes\n"
        '  user_data = each.value.cloudinit != null ? templatefile("${path.module}/custom.yaml.tmpl", {}) : data.cloudinit_config.default.rendered\n'
        "}\n"
        'resource "upcloud_server" "w" {\n  user_data = var.user_data != "" ? file("custom.yaml.tmpl") : null\n}\n'
    )
    out = extract(tmp_path, {"main.tf": tf, "custom.yaml.tmpl": "#cloud-config\npackages: [docker-ce]\n"})
    groups = [e.group for e in out.embedded]
    assert groups == [
        "main.tf › openstack_compute_instance_v2.nodes[for_each] (if each.value.cloudinit != null)",
        "main.tf › openstack_compute_instance_v2.nodes[for_each] (unless each.value.cloudinit != null)",
        "main.tf › upcloud_server.w",  # a null branch gives nothing: one machine
    ]


def test_opening_template_directives_are_looked_past(tmp_path):
    template = '%{~ if length(extra_partitions) > 0 }\n#cloud-config\nbootcmd:\n%{~ for p in extra_partitions }\n  - [sgdisk, ${p}]\n%{~ endfor }\n%{~ endif }\n'
    tf = 'resource "aws_instance" "a" {\n  user_data = templatefile("${path.module}/cloudinit.yaml.tmpl", { extra_partitions = [] })\n}\n'
    (embedded,) = extract(tmp_path, {"main.tf": tf, "cloudinit.yaml.tmpl": template}).embedded
    assert embedded.kind == "cloud-init" and embedded.templated is True
    text = embedded.document.text
    assert len(text) == len(template) and text.lstrip().startswith("#cloud-config")  # blanked, same length
    assert text[text.index("#cloud-config"):] == template[template.index("#cloud-config"):]


# ------------------------------------------------------------------------------------------
# Functions and files


CLOUD_INIT_YAML = """\
#cloud-config
write_files:
  - path: /etc/docker/daemon.json
    content: |
      {"live-restore": true, "log-level": "${log_level}", "max-concurrent-downloads": "three"}
"""


def test_templatefile_is_a_reference_document(tmp_path):
    tf = 'resource "aws_instance" "api" {\n  user_data = templatefile("${path.module}/templates/cloud-init.yaml", { log_level = "warn" })\n}\n'
    out = extract(tmp_path, {"infra/main.tf": tf, "infra/templates/cloud-init.yaml": CLOUD_INIT_YAML}, "infra/main.tf")
    (embedded,) = out.embedded
    assert embedded.kind == "cloud-init" and embedded.templated is True
    assert embedded.reference == "infra/templates/cloud-init.yaml"
    assert embedded.group == "infra/main.tf › aws_instance.api"
    document = embedded.document
    assert document.parent is None and document.path == "infra/templates/cloud-init.yaml" and document.text == CLOUD_INIT_YAML
    (step,) = document.via
    assert (step.path, step.line, step.column) == ("infra/main.tf", *at(tf, "templatefile"))
    assert step.label == 'aws_instance.api.user_data › templatefile("templates/cloud-init.yaml")'


def test_file_is_not_a_template(tmp_path):
    tf = 'resource "aws_instance" "a" {\n  user_data = file("boot.sh")\n}\n'
    (embedded,) = extract(tmp_path, {"main.tf": tf, "boot.sh": "#!/bin/sh\necho ${HOME}\n"}).embedded
    assert embedded.templated is False and embedded.kind == "cloud-init" and embedded.reference == "boot.sh"


def test_wrappers_are_looked_through_with_exact_positions(tmp_path):
    tf = (
        'resource "azurerm_linux_virtual_machine" "vm" {\n'
        "  custom_data = base64encode(<<-EOF\n"
        "    #cloud-config\n"
        "    runcmd: [systemctl restart docker]\n"
        "  EOF\n"
        "  )\n"
        "}\n"
        'resource "aws_instance" "gz" {\n'
        '  user_data_base64 = base64gzip(templatefile("init.tftpl", {}))\n'
        "}\n"
    )
    out = extract(tmp_path, {"main.tf": tf, "init.tftpl": "#cloud-config\nruncmd: [docker info]\n"})
    inline, referenced = out.embedded
    assert inline.document.label == "azurerm_linux_virtual_machine.vm.custom_data › base64encode()"
    assert located(inline.document, inline.document.text.index("systemctl")) == ("main.tf", *at(tf, "systemctl"))
    assert referenced.document.via[0].label == 'aws_instance.gz.user_data_base64 › base64gzip() › templatefile("init.tftpl")'
    assert referenced.templated is False  # nothing to render in it


def test_google_metadata_and_startup_script(tmp_path):
    tf = (
        'resource "google_compute_instance" "vm" {\n'
        "  metadata = {\n"
        '    "user-data" = "#cloud-config\\npackages: [docker.io]\\n"\n'
        '    ssh-keys    = "admin:ssh-ed25519 AAAA"\n'
        "  }\n"
        '  metadata_startup_script = "systemctl restart docker"\n'
        "}\n"
    )
    out = extract(tmp_path, {"main.tf": tf})
    kinds = sorted((e.kind, e.document.label) for e in out.embedded)
    assert kinds == [
        ("cloud-init", 'google_compute_instance.vm.metadata["user-data"]'),
        ("shell", "google_compute_instance.vm.metadata_startup_script"),
    ]


def test_text_that_is_not_user_data_is_noted(tmp_path):
    out = extract(tmp_path, {"main.tf": 'resource "aws_instance" "a" {\n  user_data = "<powershell>Restart-Service docker</powershell>"\n}\n'})
    assert out.embedded == [] and any("neither cloud-init user data nor a script" in n for n in out.notes)


# ------------------------------------------------------------------------------------------
# Data sources


CLOUDINIT_CONFIG_TF = '''\
data "cloudinit_config" "init" {
  gzip          = false
  base64_encode = false

  part {
    content_type = "text/cloud-config"
    content      = <<-EOF
      #cloud-config
      runcmd:
        - docker swarm init
    EOF
  }

  part {
    content_type = "text/cloud-config"
    merge_type   = "list(append)+dict(recurse_array)+str()"
    content      = <<-EOF
      #cloud-config
      write_files:
        - path: /etc/docker/daemon.json
          content: '{"live-restore": true, "tls-verify": true}'
      runcmd:
        - systemctl restart docker
    EOF
  }
}

resource "aws_instance" "manager" {
  user_data = data.cloudinit_config.init.rendered
}

resource "aws_instance" "worker" {
  user_data_base64 = data.cloudinit_config.init.rendered
}
'''


def test_cloudinit_config_is_the_mime_message_the_provider_renders(tmp_path):
    out = extract(tmp_path, {"main.tf": CLOUDINIT_CONFIG_TF})
    manager, worker = out.embedded
    assert manager.kind == "cloud-init" and manager.group == "main.tf › aws_instance.manager"
    assert worker.group == "main.tf › aws_instance.worker"  # a data source serves each resource using it
    text = manager.document.text
    assert text.startswith('Content-Type: multipart/mixed; boundary="MIMEBOUNDARY"\nMIME-Version: 1.0\n')
    assert "X-Merge-Type: list(append)+dict(recurse_array)+str()\n" in text
    assert text.count("Content-Type: text/cloud-config") == 2 and text.endswith("--MIMEBOUNDARY--\n")
    index = text.index("docker swarm init")
    assert located(manager.document, index) == ("main.tf", *at(CLOUDINIT_CONFIG_TF, "docker swarm init"))
    assert manager.document.label == "aws_instance.manager.user_data › data.cloudinit_config.init.rendered"


def test_cloudinit_config_end_to_end_through_mime_and_merge(tmp_path):
    write_tree(tmp_path, {"main.tf": CLOUDINIT_CONFIG_TF})
    result = scan(tmp_path)
    assert sorted(host.name for host in result.hosts) == ["main.tf › aws_instance.manager", "main.tf › aws_instance.worker"]
    tls = [f for f in result.findings if f.rule == "DKD002"]
    assert len(tls) == 2 and all(where(f) == at(CLOUDINIT_CONFIG_TF, '"tls-verify"') for f in tls)
    labels = [step.label for step in tls[0].location.trace]
    assert labels[0].endswith("data.cloudinit_config.init.rendered") and labels[1] == "MIME part 2"
    assert labels[2] == "write_files[0].content"
    # part 2 appends its runcmd to part 1's (X-Merge-Type): the swarm init runs, and refuses live-restore
    for host in result.hosts:
        assert [s.command for s in host.of(SwarmMembership)] == ["init"]
    assert len([f for f in result.findings if f.rule == "DKD102"]) == 2


def test_cloudinit_config_parts_merge_as_cloud_init_merges_them(tmp_path):
    """Without a merge type, part 2's runcmd replaces part 1's: no swarm init runs."""
    tf = CLOUDINIT_CONFIG_TF.replace('    merge_type   = "list(append)+dict(recurse_array)+str()"\n', "")
    write_tree(tmp_path, {"main.tf": tf})
    result = scan(tmp_path)
    assert all(host.of(SwarmMembership) == [] for host in result.hosts) and len(result.hosts) == 2
    assert not [f for f in result.findings if f.rule == "DKD102"]


def test_cloudinit_config_with_a_referenced_part_reads_parts_one_by_one(tmp_path):
    tf = (
        'data "cloudinit_config" "c" {\n'
        "  part {\n"
        '    content_type = "text/cloud-config"\n'
        '    content      = templatefile("${path.module}/cloud-init.yaml", { log_level = "info" })\n'
        "  }\n"
        "  part {\n"
        '    content_type = "text/x-shellscript"\n'
        '    content      = "#!/bin/sh\\nsystemctl restart docker\\n"\n'
        "  }\n"
        "}\n"
        'resource "aws_instance" "a" {\n  user_data_base64 = data.cloudinit_config.c.rendered\n}\n'
    )
    out = extract(tmp_path, {"main.tf": tf, "cloud-init.yaml": CLOUD_INIT_YAML})
    referenced, script = out.embedded
    assert referenced.reference == "cloud-init.yaml" and referenced.kind == "cloud-init"
    assert referenced.document.via[0].label.endswith('part[0].content › templatefile("cloud-init.yaml")')
    assert script.document.text == "#!/bin/sh\nsystemctl restart docker\n" and script.kind == "cloud-init"
    assert any("read one by one" in note for note in out.notes)


def test_data_source_only_an_output_uses_is_a_machine_of_its_own(tmp_path):
    tf = 'data "template_file" "user_data" {\n  template = file("${path.module}/user-data.tpl")\n  vars = {\n    node_name = var.name\n  }\n}\n'
    outputs = 'output "user_data" {\n  value = data.template_file.user_data.rendered\n}\n'
    out = extract(tmp_path, {"main.tf": tf, "outputs.tf": outputs, "user-data.tpl": "#cloud-config\nruncmd:\n  - echo ${node_name}\n"})
    (embedded,) = out.embedded
    assert embedded.group == "main.tf › data.template_file.user_data"
    assert embedded.templated is True  # template_file renders what file() read
    assert embedded.document.via[0].label == 'data.template_file.user_data.rendered › template › file("user-data.tpl")'


def test_data_source_nothing_uses_is_on_no_machine(tmp_path):
    tf = 'data "template_file" "user_data" {\n  template = file("${path.module}/user-data.tpl")\n}\n'
    tf += 'resource "aws_instance" "a" {\n  # user_data = data.template_file.user_data.rendered\n}\n'
    out = extract(tmp_path, {"main.tf": tf, "user-data.tpl": "#cloud-config\nruncmd: [docker info]\n"})
    assert out.embedded == []
    assert any("data.template_file.user_data: nothing in this module uses it, so no machine gets it" in note for note in out.notes)


def test_data_source_of_no_file_of_the_module_is_noted(tmp_path):
    out = extract(tmp_path, {"main.tf": 'resource "aws_instance" "a" {\n  user_data = data.cloudinit_config.elsewhere.rendered\n}\n'})
    assert out.embedded == [] and any("not defined in this module" in note for note in out.notes)


# ------------------------------------------------------------------------------------------
# Provisioners and local files


PROVISIONERS_TF = '''\
resource "null_resource" "docker" {
  connection {
    host = "10.0.0.5"
  }

  provisioner "file" {
    content     = jsonencode({ "live-restore" = true })
    destination = "/tmp/ignored.json"
  }

  provisioner "file" {
    content     = "{\\"live-restore\\": true, \\"tls-verify\\": true}"
    destination = "/etc/docker/daemon.json"
  }

  provisioner "remote-exec" {
    inline = [
      "sudo apt-get install -y docker-ce=5:27.3.1-1~ubuntu.22.04~jammy",
      "sudo systemctl restart docker",
    ]
  }
}
'''


def test_provisioners_file_and_remote_exec(tmp_path):
    out = extract(tmp_path, {"main.tf": PROVISIONERS_TF})
    daemon, script = out.embedded
    assert daemon.kind == "daemon-json" and daemon.target == "/etc/docker/daemon.json"
    assert daemon.document.text == '{"live-restore": true, "tls-verify": true}'
    assert located(daemon.document, daemon.document.text.index('"tls-verify"')) == ("main.tf", *at(PROVISIONERS_TF, '\\"tls-verify'))
    assert script.kind == "shell" and script.group == "main.tf › null_resource.docker"
    assert script.document.text == "sudo apt-get install -y docker-ce=5:27.3.1-1~ubuntu.22.04~jammy\nsudo systemctl restart docker\n"
    assert located(script.document, script.document.text.index("sudo systemctl")) == ("main.tf", *at(PROVISIONERS_TF, "sudo systemctl"))
    assert script.document.label == 'null_resource.docker › provisioner "remote-exec".inline'


def test_provisioner_file_end_to_end(tmp_path):
    write_tree(tmp_path, {"main.tf": PROVISIONERS_TF})
    result = scan(tmp_path)
    (host,) = result.hosts
    assert host.name == "main.tf › null_resource.docker" and host.layout == "group"
    finding = only(result, "DKD002")
    assert where(finding) == at(PROVISIONERS_TF, '\\"tls-verify')
    assert finding.location.trace[0].label == 'null_resource.docker › provisioner "file".content'


def test_remote_exec_scripts_and_local_file(tmp_path):
    tf = (
        'resource "null_resource" "n" {\n  provisioner "remote-exec" {\n    scripts = ["${path.module}/scripts/docker.sh"]\n  }\n}\n'
        'resource "local_file" "daemon" {\n  filename = "${path.module}/rendered/daemon.json"\n  content  = <<-EOF\n    {"debug": true}\n  EOF\n}\n'
    )
    out = extract(tmp_path, {"main.tf": tf, "scripts/docker.sh": "#!/bin/sh\ndockerd --debug\n"})
    script, daemon = out.embedded
    assert script.kind == "shell" and script.reference == "scripts/docker.sh"
    assert script.document.via[0].label == 'null_resource.n › provisioner "remote-exec" › script "scripts/docker.sh"'
    assert daemon.kind == "daemon-json" and daemon.target == "./rendered/daemon.json" and daemon.group == "main.tf › local_file.daemon"


def test_file_provisioner_into_a_folder_older_azure_vms_and_modules(tmp_path):
    tf = (
        'resource "azurerm_virtual_machine" "old" {\n'
        '  os_profile {\n    computer_name  = "docker01"\n    custom_data    = file("cloud-init.yaml")\n  }\n'
        '  provisioner "file" {\n    source      = "files/daemon.json"\n    destination = "/etc/docker/"\n  }\n'
        "}\n"
        'module "swarm_node" {\n  source    = "./modules/node"\n  user_data = templatefile("${path.root}/cloud-init.yaml", {})\n}\n'
    )
    files = {"main.tf": tf, "cloud-init.yaml": "#cloud-config\nruncmd: [docker info]\n", "files/daemon.json": '{"debug": true}', "modules/node/main.tf": 'variable "user_data" {}\n'}
    custom, upload, module = extract(tmp_path, files).embedded
    assert custom.document.via[0].label == 'azurerm_virtual_machine.old.os_profile.custom_data › file("cloud-init.yaml")'
    assert upload.kind == "daemon-json" and upload.target == "/etc/docker/daemon.json" and upload.reference == "files/daemon.json"
    assert custom.group == upload.group == "main.tf › azurerm_virtual_machine.old"
    assert module.group == "main.tf › module.swarm_node" and module.templated is False


# ------------------------------------------------------------------------------------------
# End to end: exact positions through three levels, and into template files


NESTED_TF = '''\
resource "aws_instance" "web" {
  ami       = "ami-0abcdef1234567890"
  user_data = <<-EOF
    #cloud-config
    runcmd:
      - mkdir -p /etc/docker
      - |
        cat > /etc/docker/daemon.json <<'JSON'
        {"live-restore": true, "log-opts": {"max-file": 3}}
        JSON
      - systemctl restart docker
    EOF
}
'''


def test_three_levels_terraform_cloud_init_heredoc(tmp_path):
    write_tree(tmp_path, {"infra/main.tf": NESTED_TF})
    result = scan(tmp_path)
    finding = only(result, "DKD003")
    assert finding.location.path == "infra/main.tf"
    assert where(finding) == at(NESTED_TF, "3}")
    labels = [step.label for step in finding.location.trace]
    assert labels[0] == "aws_instance.web.user_data" and labels[1] == "runcmd[1]" and "daemon.json" in labels[2] and len(labels) == 3
    assert finding.location.trace[0].line == at(NESTED_TF, "<<-EOF")[0]
    (host,) = result.hosts
    assert host.name == "infra/main.tf › aws_instance.web"


def test_templatefile_finding_points_into_the_template(tmp_path):
    tf = 'resource "aws_instance" "api" {\n  user_data = templatefile("${path.module}/templates/cloud-init.yaml", { log_level = "warn" })\n}\n'
    write_tree(tmp_path, {"infra/main.tf": tf, "infra/templates/cloud-init.yaml": CLOUD_INIT_YAML})
    result = scan(tmp_path)
    finding = only(result, "DKD003")
    assert finding.location.path == "infra/templates/cloud-init.yaml"
    assert where(finding) == at(CLOUD_INIT_YAML, '"three"')
    first, second = finding.location.trace
    assert (first.path, first.line) == ("infra/main.tf", 2) and first.label.endswith('templatefile("templates/cloud-init.yaml")')
    assert second.label == "write_files[0].content"
    (host,) = result.hosts  # the template is judged where it is used, not again on its own
    assert host.name == "infra/main.tf › aws_instance.api"


def test_one_host_per_resource(tmp_path):
    tf = HEREDOC_TF + NESTED_TF.replace('"web"', '"db"')
    write_tree(tmp_path, {"main.tf": tf})
    names = sorted(host.name for host in scan(tmp_path).hosts)
    assert names == ["main.tf › aws_instance.db", "main.tf › aws_instance.web"]


# ------------------------------------------------------------------------------------------
# Nothing evaluated, nothing read outside the project, nothing run


def guarded(monkeypatch) -> list:
    """Starting a process fails the test; the returned list fills with the paths os.open opens."""
    opened: list = []
    real_open = os.open

    def refuse(*args, **kwargs):
        raise AssertionError("a process was started")

    def watch(path, *args, **kwargs):
        opened.append(str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", refuse)
    monkeypatch.setattr(os, "system", refuse)
    monkeypatch.setattr(os, "open", watch)
    return opened


def test_nothing_outside_the_project_is_read_and_nothing_runs(tmp_path, monkeypatch):
    outside = tmp_path / "outside"
    project = tmp_path / "repo"
    write_tree(outside, {"secret.yaml": "#cloud-config\nruncmd: [docker info]\n"})
    tf = (
        'resource "aws_instance" "a" {\n  user_data = templatefile("../outside/secret.yaml", {})\n}\n'
        'resource "aws_instance" "b" {\n  user_data = file("/etc/passwd")\n}\n'
        'resource "aws_instance" "c" {\n  user_data = file("${path.module}/link.yaml")\n}\n'
        'data "external" "e" {\n  program = ["sh", "-c", "touch /tmp/dlint-was-here"]\n}\n'
        'resource "aws_instance" "d" {\n  user_data = data.external.e.result.user_data\n}\n'
        'resource "aws_instance" "f" {\n  user_data = templatefile(pathexpand("~/x.yaml"), {})\n}\n'
    )
    write_tree(project, {"main.tf": tf})
    os.symlink(outside / "secret.yaml", project / "link.yaml")
    opened = guarded(monkeypatch)
    out = TerraformKind().extract(source_for(project, "main.tf"))
    assert out.embedded == []
    assert not any("outside" in path or path == "/etc/passwd" for path in opened)
    notes = "\n".join(out.notes)
    assert "outside the project; not read" in notes
    assert "an absolute path, outside the project; not read" in notes
    assert "symbolic link" in notes or "outside the project" in notes.split("aws_instance.c")[1]
    assert "data.external.e.result.user_data is not known" in notes
    assert "aws_instance.f.user_data: the path given to templatefile() is not a literal" in notes
    assert not Path("/tmp/dlint-was-here").exists()


def test_a_source_outside_the_project_root_reads_only_its_own_folder(tmp_path):
    write_tree(tmp_path, {"mod/main.tf": 'resource "aws_instance" "a" {\n  user_data = file("../up.sh")\n}\n', "up.sh": "#!/bin/sh\n"})
    path = tmp_path / "mod" / "main.tf"
    rel = path.as_posix().lstrip("/")  # how discovery names a file outside the project root
    out = TerraformKind().extract(Source(path, path.as_posix(), rel, "terraform", path.read_bytes()))
    assert out.embedded == [] and any("outside the project" in note for note in out.notes)


def test_syntax_errors_are_noted_and_the_rest_is_read(tmp_path):
    tf = 'resource "aws_instance" "broken" {\n  ami = \n  tags = {\n}\n\n' + HEREDOC_TF
    out = extract(tmp_path, {"main.tf": tf})
    assert any("syntax error" in note for note in out.notes)
    assert [e.group for e in out.embedded] == ["main.tf › aws_instance.web"]


def test_deeply_nested_templates_and_references_are_bounded(tmp_path):
    deep = "%{ if x }" * 3000 + "#!/bin/sh\ndocker info\n" + "%{ endif }" * 3000
    wrapped = "base64encode(" * 50 + '"#!/bin/sh"' + ")" * 50
    tf = f'resource "aws_instance" "a" {{\n  user_data = <<EOF\n{deep}\nEOF\n}}\nresource "aws_instance" "b" {{\n  user_data = {wrapped}\n}}\n'
    tf += 'locals {\n  a = local.b\n  b = local.a\n}\nresource "aws_instance" "c" {\n  user_data = local.a\n}\n'
    tf += 'data "template_file" "t" {\n  template = data.template_file.t.rendered\n}\nresource "aws_instance" "d" {\n  user_data = data.template_file.t.rendered\n}\n'
    out = extract(tmp_path, {"main.tf": tf})
    assert [e.group for e in out.embedded] == ["main.tf › aws_instance.a"]
    assert sum("nested too deep; not followed" in note for note in out.notes) == 2
    assert any("data.template_file.t refers to itself" in note for note in out.notes)


def test_claims_and_needles():
    kind = TerraformKind()
    assert kind.claims("infra/main.tf", "main.tf") is True
    assert kind.claims("infra/vars.tfvars", "vars.tfvars") is False
    assert kind.needles.search(b'user_data = file("x")') and not kind.needles.search(b'variable "region" {}')


# ------------------------------------------------------------------------------------------
# Fuzz: read() never raises


def _read(text: str, root: Path):
    source = Source(root / "main.tf", "main.tf", "main.tf", "terraform", text.encode("utf-8", "surrogatepass"))
    return TerraformKind().read(Document(text, "main.tf"), ReadContext(source))


CORPUS = [HEREDOC_TF, CLOUDINIT_CONFIG_TF, PROVISIONERS_TF, NESTED_TF]
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@FUZZ
@given(st.lists(st.sampled_from(list('abc{}[]()"\\$%~<-=\n\t #:.,/') + ["<<EOF\n", "<<-EOF\n", "EOF", "${", "%{", "\nEOF\n", "é", "\r\n", "user_data", "resource", "part", "templatefile(", "local.", "data."]), max_size=120))
def test_fuzz_random_hcl_never_raises(tmp_path, pieces):
    _read("".join(pieces), tmp_path)


@FUZZ
@given(st.text(max_size=200))
def test_fuzz_any_text_never_raises(tmp_path, text):
    _read(text, tmp_path)


@FUZZ
@given(st.sampled_from(CORPUS), st.data())
def test_fuzz_mutations_never_raise(tmp_path, base, data):
    text = base
    for _ in range(data.draw(st.integers(1, 4))):
        at_ = data.draw(st.integers(0, len(text)))
        action = data.draw(st.sampled_from(["cut", "insert", "dup"]))
        if action == "cut":
            text = text[:at_] + text[at_ + data.draw(st.integers(1, 20)) :]
        elif action == "insert":
            text = text[:at_] + data.draw(st.sampled_from(['"', "}", "${", "%{ if x }", "\\", "<<-EOF\n", "EOF\n", "\n", "\x00", "☃"])) + text[at_:]
        else:
            text = text[:at_] + text[at_ : at_ + 30] + text[at_:]
    out = _read(text, tmp_path)
    for embedded in out.embedded:  # every position still maps somewhere in the file
        embedded.document.location(0, len(embedded.document.text))


def test_base64_literal_is_left_alone(tmp_path):
    encoded = base64.b64encode(b"#cloud-config\n").decode()
    out = extract(tmp_path, {"main.tf": f'resource "aws_instance" "a" {{\n  user_data_base64 = "{encoded}"\n}}\n'})
    assert out.embedded == []  # not decoded: said in a note
    assert out.notes


# ------------------------------------------------------------------------------------------
# One machine, one host: the files of a module, provisioners, counted resources, 0.11, the OS


UPLOAD_TF = '''\
resource "aws_instance" "node" {
  ami = "ami-0abcdef1234567890"

  connection {
    host = self.public_ip
  }

  provisioner "file" {
    source      = "${path.module}/files/daemon.json"
    destination = "/tmp/daemon.json"
  }

  provisioner "file" {
    source      = "${path.module}/scripts/engine.sh"
    destination = "/home/ubuntu/engine.sh"
  }

  provisioner "remote-exec" {
    inline = [
      "sudo mkdir -p /etc/docker",
      "sudo mv /tmp/daemon.json /etc/docker/",
      "sudo bash /home/ubuntu/engine.sh",
    ]
  }
}
'''
UPLOADED_DAEMON = '{\n  "live-restore": true,\n  "log-opts": {"max-file": 3}\n}\n'
ENGINE_SH = "#!/bin/sh\napt-get install -y docker-ce\ndocker swarm init\n"


def test_uploaded_daemon_json_lands_where_inline_moves_it(tmp_path):
    write_tree(tmp_path, {"infra/main.tf": UPLOAD_TF, "infra/files/daemon.json": UPLOADED_DAEMON, "infra/scripts/engine.sh": ENGINE_SH})
    result = scan(tmp_path)
    (host,) = result.hosts  # the uploads are judged on the machine, not again on their own
    assert host.name == "infra/main.tf › aws_instance.node"
    (config,) = host.daemon_configs
    assert config.target == "/etc/docker/daemon.json" and config.opaque is None
    finding = only(result, "DKD003")  # max-file is a string option
    assert finding.location.path == "infra/files/daemon.json" and where(finding) == at(UPLOADED_DAEMON, "3}")
    step = finding.location.trace[0]
    assert step.label == 'aws_instance.node › provisioner "file" › source "files/daemon.json", moved to /etc/docker/daemon.json'
    assert (step.path, step.line) == ("infra/main.tf", at(UPLOAD_TF, '"${path.module}/files/daemon.json"')[0])
    assert not [f for f in result.findings if f.rule == "DKD902"]  # the move is followed: not a file of unknown content
    # the uploaded script that inline runs is read on that machine: live-restore on a swarm manager
    swarm = only(result, "DKD102")
    assert swarm.location.path == "infra/files/daemon.json"
    assert any(r.path == "infra/scripts/engine.sh" and (r.line, r.column) == at(ENGINE_SH, "docker swarm init") for r in swarm.related)


def test_inline_is_read_without_the_move_dlint_followed(tmp_path):
    out = extract(tmp_path, {"main.tf": UPLOAD_TF, "files/daemon.json": UPLOADED_DAEMON, "scripts/engine.sh": ENGINE_SH})
    daemon, engine, inline = out.embedded
    assert daemon.kind == "daemon-json" and daemon.target == "/etc/docker/daemon.json" and daemon.reference == "files/daemon.json"
    assert engine.kind == "shell" and engine.reference == "scripts/engine.sh" and engine.group == "main.tf › aws_instance.node"
    assert inline.document.text == "sudo mkdir -p /etc/docker\nsudo bash /home/ubuntu/engine.sh\n"
    assert located(inline.document, inline.document.text.index("sudo bash")) == ("main.tf", *at(UPLOAD_TF, "sudo bash"))


def test_an_upload_nothing_runs_or_moves(tmp_path):
    tf = UPLOAD_TF.replace('"sudo mv /tmp/daemon.json /etc/docker/",\n', "").replace("sudo bash /home/ubuntu/engine.sh", "cat /home/ubuntu/engine.sh")
    out = extract(tmp_path, {"main.tf": tf, "files/daemon.json": UPLOADED_DAEMON, "scripts/engine.sh": ENGINE_SH})
    # a daemon.json is one by its name wherever it lands (as the other kinds read it); a script only printed is not run
    assert [(e.kind, e.target) for e in out.embedded] == [("daemon-json", "/tmp/daemon.json"), ("shell", None)]
    assert out.embedded[1].reference is None


PROVISION_TF = '''\
resource "null_resource" "engine" {
  count = 3

  connection {
    host = element(aws_instance.node.*.public_ip, count.index)
  }

  provisioner "remote-exec" {
    inline = ["docker swarm join --token ${var.token} ${var.manager}:2377"]
  }
}
'''
NODES_TF = '''\
resource "aws_instance" "node" {
  count     = 3
  ami       = "ami-0abcdef1234567890"
  user_data = <<-EOF
    #cloud-config
    write_files:
      - path: /etc/docker/daemon.json
        content: |
          {"live-restore": true}
    EOF
}
'''


def test_null_resource_joins_the_host_its_connection_names_in_another_file(tmp_path):
    write_tree(tmp_path, {"main.tf": NODES_TF, "provision.tf": PROVISION_TF})
    result = scan(tmp_path)
    (host,) = result.hosts
    assert host.name == "main.tf › aws_instance.node[count]"
    finding = only(result, "DKD102")  # live-restore (main.tf) on a swarm node (provision.tf)
    assert finding.location.path == "main.tf" and where(finding) == at(NODES_TF, '"live-restore"')
    assert any(r.path == "provision.tf" and (r.line, r.column) == at(PROVISION_TF, "docker swarm join") for r in finding.related)


def test_null_resource_with_an_unknown_host_is_a_machine_of_its_own(tmp_path):
    tf = PROVISION_TF.replace("element(aws_instance.node.*.public_ip, count.index)", "var.host")
    out = extract(tmp_path, {"provision.tf": tf, "main.tf": NODES_TF}, rel="provision.tf")
    assert [e.group for e in out.embedded] == ["provision.tf › null_resource.engine[count]"]


DATA_TF = '''\
data "template_file" "cloud" {
  template = "${file("${path.module}/tpl/cloud.yaml")}"

  vars {
    log_level = "warn"
  }
}

locals {
  startup = templatefile("${path.root}/tpl/startup.sh", { port = 2376 })
}
'''
LAUNCH_TF = '''\
resource "aws_launch_template" "workers" {
  user_data = base64encode(data.template_file.cloud.rendered)
}

resource "aws_launch_configuration" "legacy" {
  user_data = "${data.template_file.cloud.rendered}"
}

resource "google_compute_instance" "vm" {
  metadata_startup_script = local.startup
}
'''
CLOUD_YAML = '#cloud-config\nwrite_files:\n  - path: /etc/docker/daemon.json\n    content: |\n      {"log-level": "${log_level}", "max-concurrent-downloads": "3"}\n'
STARTUP_SH = "#!/bin/sh\ndockerd -H tcp://0.0.0.0:${port} &\n"


def test_data_sources_and_locals_of_other_files_are_that_resources_user_data(tmp_path):
    write_tree(tmp_path, {"main.tf": LAUNCH_TF, "data.tf": DATA_TF, "tpl/cloud.yaml": CLOUD_YAML, "tpl/startup.sh": STARTUP_SH})
    result = scan(tmp_path)
    names = sorted(host.name for host in result.hosts)
    assert names == ["main.tf › aws_launch_configuration.legacy", "main.tf › aws_launch_template.workers", "main.tf › google_compute_instance.vm"]
    findings = [f for f in result.findings if f.rule == "DKD003"]  # max-concurrent-downloads is an integer
    assert len(findings) == 2 and {f.host for f in findings} == {names[0], names[1]}
    for finding in findings:
        assert finding.location.path == "tpl/cloud.yaml" and where(finding) == at(CLOUD_YAML, '"3"')
        first, second = finding.location.trace[:2]
        assert first.path == "main.tf" and second.path == "data.tf" and second.line == 2
        assert second.label.startswith("data.template_file.cloud.rendered › template")
    tcp = only(result, "DKD401")  # the template's ${port} is unknown, tcp:// is not
    assert tcp.location.path == "tpl/startup.sh" and tcp.host == names[2]
    assert [step.path for step in tcp.location.trace][:2] == ["main.tf", "data.tf"]


def test_a_data_source_used_in_another_file_is_not_a_machine_of_its_own(tmp_path):
    files = {"main.tf": LAUNCH_TF, "data.tf": DATA_TF, "tpl/cloud.yaml": CLOUD_YAML, "tpl/startup.sh": STARTUP_SH}
    out = extract(tmp_path, files, rel="data.tf")
    assert out.embedded == [] and not any("not read" in note for note in out.notes)


LEGACY_TF = '''\
resource "aws_instance" "legacy" {
  ami           = "ami-123",
  instance_type = "t2.micro", # a comment
  tags {
    "Name" = "docker"
  }
  user_data     = <<EOF
#cloud-config
write_files:
  - path: /etc/docker/daemon.json
    content: '{"debug": "yes"}'
EOF
}
'''


def test_terraform_0_11_commas_and_quoted_names_parse(tmp_path):
    from dlint_docker.hcl import Hcl

    out = extract(tmp_path, {"main.tf": LEGACY_TF})
    (embedded,) = out.embedded
    assert embedded.group == "main.tf › aws_instance.legacy"
    assert not any("syntax error" in note for note in out.notes)
    assert sum("a comma after an argument (Terraform 0.11 syntax" in note for note in out.notes) == 2
    assert any("main.tf:5:5: a quoted argument name" in note for note in out.notes)
    hcl = Hcl(Document(LEGACY_TF, "main.tf"))
    (block,) = hcl.top_blocks(("resource",))
    attributes = hcl.attributes(block.body)
    assert hcl.source(attributes["ami"].expr) == '"ami-123"' and hcl.source(attributes["instance_type"].expr) == '"t2.micro"'
    (tags,) = hcl.blocks(block.body, "tags")
    assert list(hcl.attributes(tags.body)) == ["Name"]
    finding = only(scan(tmp_path), "DKD003")  # debug is a boolean
    assert where(finding) == at(LEGACY_TF, '"yes"')


def test_a_comma_inside_a_list_is_left_alone():
    from dlint_docker.hcl import Hcl

    tf = 'resource "aws_instance" "a" {\n  ami = "x",\n  sg = [\n    "a",\n    "b",\n  ]\n}\n'
    hcl = Hcl(Document(tf, "main.tf"))
    assert hcl.errors() == [] and [what for _, what in hcl.repaired] == ["a comma after an argument"]


FLATCAR_TF = '''\
data "aws_ami" "flatcar" {
  most_recent = true
  owners      = ["075585003325"]

  filter {
    name   = "name"
    values = ["Flatcar-stable-*"]
  }
}

resource "aws_instance" "node" {
  ami       = data.aws_ami.flatcar.id
  user_data = <<-EOF
    #cloud-config
    write_files:
      - path: /etc/systemd/system/docker.service.d/10-opts.conf
        content: |
          [Service]
          Environment="DOCKER_OPTS=--live-restore"
    EOF
}
'''


def test_flatcar_image_uses_the_os_docker_unit(tmp_path):
    write_tree(tmp_path, {"main.tf": FLATCAR_TF})
    result = scan(tmp_path)
    (host,) = result.hosts
    assert host.name == "main.tf › aws_instance.node"
    assert not host.command.assumed
    assert "--live-restore" in [w.text for w in host.command.words]  # through Flatcar's $DOCKER_OPTS
    assert not [f for f in result.findings if f.rule == "DKD101"]


def test_fedora_coreos_image_and_an_image_that_says_nothing(tmp_path):
    tf = FLATCAR_TF.replace("Flatcar-stable-*", "fedora-coreos-*").replace("DOCKER_OPTS=--live-restore", "OPTIONS=--debug")
    out = extract(tmp_path, {"main.tf": tf})
    assert "<Fedora CoreOS docker.service>" in [e.document.path for e in out.embedded]
    assert all(e.group == "main.tf › aws_instance.node" for e in out.embedded)
    plain = extract(tmp_path, {"main.tf": FLATCAR_TF.replace("Flatcar-stable-*", "ubuntu/images/*").replace("flatcar", "base")})
    assert not any(e.document.path.startswith("<") for e in plain.embedded)


# ------------------------------------------------------------------------------------------
# Issue 8: a daemon.json inside a template, judged where the template cannot change it

SWARM_VM_TF = '''\
data "template_file" "node" {
  template = file("boot/node.yml")
  vars = {
    region = var.region
  }
}

resource "azurerm_linux_virtual_machine" "node" {
  custom_data = base64encode(data.template_file.node.rendered)
}
'''
NODE_YML = '''\
#cloud-config
write_files:
  - path: /etc/docker/daemon.json
    content: |
      {
        "log-level": "warn"
        "labels": ["region=${region}"]
      }
runcmd:
  - echo ${region}
'''


def test_invalid_json_with_no_expansion_before_it_is_dockerds_error_in_a_template(tmp_path):
    write_tree(tmp_path, {"main.tf": SWARM_VM_TF, "boot/node.yml": NODE_YML})
    result = scan(tmp_path)
    broken = only(result, "DKD001")
    assert broken.location.path == "boot/node.yml" and where(broken) == at(NODE_YML, '"labels"')
    assert broken.host == "main.tf › azurerm_linux_virtual_machine.node"
    assert not [f for f in result.findings if f.rule == "DKD902"]


@pytest.mark.parametrize(
    "body, error",
    [
        ('{"debug": ${debug}, "log-level": "warn",}', "}"),  # an expansion as a value, then a real error
        ('{"labels": ["${a}", "x"] "debug": true}', '"debug"'),
        ('{"debug": ${debug}\n "log-level": "warn"}', None),  # the expansion may bring the comma
        ('{${key}: true}', None),  # an expansion where a key stands
        ('{%{ if x }"debug": true%{ endif } "log-level": "warn"}', None),  # a directive before the error
        ('{\n%{ if x }"debug": true%{ endif }}', None),  # a directive at the error
    ],
)
def test_template_expansions_are_read_as_values_around_a_json_error(tmp_path, body, error):
    from dlint_docker.templating import json_error_outside

    found = json_error_outside(Document(body, "daemon.json"), 0, len(body))
    if error is None:
        assert found is None
    else:
        assert found is not None and found[0] == body.rindex(error)


UNUSED_TEMPLATE_TF = '''\
data "template_file" "init" {
  template = file("${path.module}/boot/init.yml")
}

resource "hcloud_server" "node" {
  image = "ubuntu-22.04"
  # user_data = data.template_file.init.rendered
}
'''
INIT_YML = "#cloud-config\nruncmd:\n  - |\n    echo '{\"debug\": true}' > /etc/docker/daemon.json\n  - apt-get install -y docker.io\n"


def test_a_template_file_nothing_uses_is_no_machine_and_its_file_neither(tmp_path):
    write_tree(tmp_path, {"main.tf": UNUSED_TEMPLATE_TF, "boot/init.yml": INIT_YML})
    result = scan(tmp_path)
    assert [host.name for host in result.hosts if "init.yml" in host.name] == []
    assert result.findings == []
    write_tree(tmp_path, {"main.tf": UNUSED_TEMPLATE_TF.replace("# user_data", "user_data")})
    used = scan(tmp_path)
    assert [f.host for f in used.findings if f.rule == "DKD101"] == ["main.tf › hcloud_server.node"]


SWARM_PARTS_TF = '''\
data "cloudinit_config" "node" {
  part {
    content_type = "text/x-shellscript"
    content      = file("${path.module}/install.sh")
  }
  part {
    content_type = "text/x-shellscript"
    content      = templatefile("${path.module}/join.py", { group = "worker" })
  }
}

resource "aws_instance" "node" {
  user_data_base64 = data.cloudinit_config.node.rendered
}
'''
INSTALL_SH = "#!/bin/sh\napt-get install -y docker-ce\n"
JOIN_PY = '''\
#!/usr/bin/env python3
import json, subprocess
DAEMON = "/etc/docker/daemon.json"
# docker swarm leave is never run here
def log_to_cloudwatch():
    with open(DAEMON, "w") as f:
        json.dump({"log-driver": "awslogs"}, f)
subprocess.check_call(["docker", "swarm", "join", "--token", "${group}", "10.0.0.1:2377"])
'''


def test_a_python_user_data_part_is_no_shell_its_swarm_join_and_daemon_json_are_kept(tmp_path):
    write_tree(tmp_path, {"main.tf": SWARM_PARTS_TF, "install.sh": INSTALL_SH, "join.py": JOIN_PY})
    result = scan(tmp_path)
    (host,) = result.hosts
    swarm = host.of(SwarmMembership)
    assert [(s.command, s.role) for s in swarm] == [("join", "unknown")]
    assert (swarm[0].location.path, swarm[0].location.line, swarm[0].location.column) == ("join.py", *at(JOIN_PY, '"docker", "swarm"'))
    assert not [f for f in result.findings if f.rule == "DKD101"]
    unknown = only(result, "DKD902")  # what the program writes is not known: nothing reads it as absent
    assert unknown.location.path == "join.py" and where(unknown) == at(JOIN_PY, "/etc/docker/daemon.json")
    assert not any("tree-sitter-bash" in note for note in result.notes)


def test_a_python_part_that_only_mentions_swarm_in_a_comment_is_no_swarm_node(tmp_path):
    quiet = "#!/usr/bin/python3\n# then run: docker swarm join --token X\nprint('/etc/docker/daemon.json')\n"
    shelled = "#!/usr/bin/perl\nsystem(\"echo '{}' > /etc/docker/daemon.json\");\n"
    write_tree(tmp_path, {"main.tf": SWARM_PARTS_TF, "install.sh": INSTALL_SH, "join.py": quiet})
    result = scan(tmp_path)
    assert [f.rule for f in result.findings] == ["DKD101"] and result.findings[0].location.path == "install.sh"
    write_tree(tmp_path, {"join.py": shelled})  # a daemon.json a Perl program writes through a shell
    unknown = only(scan(tmp_path), "DKD902")
    assert where(unknown) == at(shelled, "/etc/docker/daemon.json")


def test_a_swarm_of_one_module_says_nothing_of_the_machines_of_an_example_module_beside_it(tmp_path):
    plain = SWARM_PARTS_TF.replace('  part {\n    content_type = "text/x-shellscript"\n    content      = templatefile("${path.module}/join.py", { group = "worker" })\n  }\n', "")
    files = {"main.tf": SWARM_PARTS_TF, "install.sh": INSTALL_SH, "join.py": JOIN_PY, "examples/plain/main.tf": plain, "examples/plain/install.sh": INSTALL_SH}
    write_tree(tmp_path, files)
    result = scan(tmp_path)
    late = only(result, "DKD101")
    assert late.host == "examples/plain/main.tf › aws_instance.node" and late.location.path == "examples/plain/install.sh"
    assert not [u for u in result.unknowns if "swarm node" in u.why]


# ------------------------------------------------------------------------------------------
# Issue 8: a daemon.json template of a module that only renders user data, and its %{ if } branches

MODULE_TF = '''\
locals {
  daemon = templatefile("${path.module}/conf/daemon.json.tftpl", {
    no_iptables = !var.iptables
    mirror      = var.mirror
  })
  user_data = join("\\n", ["#cloud-config", local.daemon])
}

output "user_data" {
  value = local.user_data
}
'''
DAEMON_TFTPL = '''\
{
%{ if no_iptables ~}
  "iptables": "no"
%{ endif ~}
%{ if mirror != null ~}
  "registry-mirrors": ["${mirror}"]
%{ endif ~}
}
'''


def test_a_daemon_json_template_a_module_only_renders_is_read_through_its_if_branches(tmp_path):
    write_tree(tmp_path, {"main.tf": MODULE_TF, "conf/daemon.json.tftpl": DAEMON_TFTPL})
    result = scan(tmp_path)
    assert [host.name for host in result.hosts] == ["main.tf › local.daemon"]
    wrong = only(result, "DKD003")  # "no" is a string whenever the branch writes it
    assert wrong.location.path == "conf/daemon.json.tftpl" and where(wrong) == at(DAEMON_TFTPL, '"no"')
    broken = only(result, "DKD001")  # both branches taken: no comma between the members
    assert where(broken) == at(DAEMON_TFTPL, '"registry-mirrors"')
    assert "%{ if no_iptables ~}" in broken.message and "%{ if mirror != null ~}" in broken.message
    assert not [f for f in result.findings if f.rule == "DKD902"]


def test_keys_beside_an_else_branch_stay_undecided_and_a_resource_reads_its_own_template(tmp_path):
    exclusive = '{\n%{ if debug ~}\n  "log-level": "verbose"\n%{ else ~}\n  "iptables": "no"\n%{ endif ~}\n}\n'
    write_tree(tmp_path, {"main.tf": MODULE_TF, "conf/daemon.json.tftpl": exclusive})
    assert not [f for f in scan(tmp_path).findings if f.rule in ("DKD003", "DKD004", "DKD001")]
    machine = '''\
resource "hcloud_server" "node" {
  provisioner "file" {
    content     = local.daemon
    destination = "/etc/docker/daemon.json"
  }
}
'''
    write_tree(tmp_path, {"conf/daemon.json.tftpl": DAEMON_TFTPL, "node.tf": machine})
    result = scan(tmp_path)
    assert [host.name for host in result.hosts] == ["node.tf › hcloud_server.node"]
    assert only(result, "DKD003").host == "node.tf › hcloud_server.node"


@FUZZ
@given(st.lists(st.sampled_from(['{', '}', '"a": 1', '"b": "x"', ",", "\n", "${v}", "${", "%{ if c ~}", "%{~ else }", "%{ endif }", "%{ for x in y }", "%{ endfor }", "$$", "}", "~", " "]), max_size=40))
def test_fuzz_template_branches_and_json_errors_never_raise(pieces):
    from dlint_docker.sources.terraform_template import daemon_json
    from dlint_docker.templating import json_error

    text = "".join(pieces)
    document = daemon_json(Document(text, "daemon.json.tpl"))
    if document is not None:
        for _, location in document.broken_renderings:
            assert location.path == "daemon.json.tpl" and location.line >= 1
    json_error(text)


def test_a_python_script_part_with_mixed_quotes_and_a_commented_command(tmp_path):
    odd = "#!/usr/bin/env python3\n[\"docker\", 'swarm', \"join\"]\nopen('/etc/docker/daemon.json', 'w')\n# [\"docker\", \"swarm\", \"init\"]\n"
    write_tree(tmp_path, {"main.tf": SWARM_PARTS_TF, "install.sh": INSTALL_SH, "join.py": odd})
    (host,) = scan(tmp_path).hosts
    assert [s.command for s in host.of(SwarmMembership)] == ["join"]  # each word its own quotes; the comment is no command


def test_a_local_nothing_names_is_no_machine_and_the_template_it_renders_neither(tmp_path):
    unused = 'locals {\n  init = templatefile("${path.module}/boot/init.yml", {})\n  name = "node"\n}\n\nresource "hcloud_server" "node" {\n  name = local.name\n}\n'
    write_tree(tmp_path, {"main.tf": unused, "boot/init.yml": INIT_YML})
    result = scan(tmp_path)
    assert result.findings == [] and not [h for h in result.hosts if "init.yml" in h.name]
    write_tree(tmp_path, {"main.tf": unused.replace("name = local.name", "name = local.name\n  user_data = local.init")})
    assert [f.host for f in scan(tmp_path).findings if f.rule == "DKD101"] == ["main.tf › hcloud_server.node"]


def test_a_module_no_configuration_calls_is_not_deployed(tmp_path):
    from .helpers import cli, scan, write_tree

    server = (
        'resource "hcloud_server" "default" {\n  user_data = <<-EOT\n    #cloud-config\n    runcmd:\n'
        "      - curl -fsSL https://get.docker.com | sh\n  EOT\n}\n"
    )
    write_tree(tmp_path, {
        "services.tf": 'module "cloud" {\n  source = "./modules/cloud"\n}\n\n# module "games" {\n#   source = "./modules/games"\n# }\n',
        "modules/cloud/main.tf": server,
        "modules/games/main.tf": server,
    })
    result = scan(tmp_path)
    # the commented-out call leaves modules/games/ on no machine; modules/cloud/ is judged
    assert [f.host for f in result.findings if f.rule == "DKD101"] == ["modules/cloud/main.tf › hcloud_server.default"]
    out = cli("scan", ".", cwd=tmp_path).stdout
    assert "not deployed: modules/games/main.tf › hcloud_server.default: a Terraform module no configuration of the repository calls (modules/games/); not judged" in out
    # a module folder not named modules/: one beside the folders calls reach (platform/_module/x)
    write_tree(tmp_path, {
        "services.tf": 'module "cloud" {\n  source = "./_module/cloud"\n}\n\n# module "games" {\n#   source = "./_module/games"\n# }\n',
        "_module/cloud/main.tf": server,
        "_module/games/main.tf": server,
    })
    assert [f.host for f in scan(tmp_path).findings if f.rule == "DKD101"] == ["_module/cloud/main.tf › hcloud_server.default"]
    # a repository that calls none of its modules (a library of modules) judges them all
    write_tree(tmp_path, {"services.tf": "# nothing here\n"})
    assert len([f for f in scan(tmp_path).findings if f.rule == "DKD101"]) == 4


def test_module_call_scan_is_linear_on_unclosed_comments_and_strings():
    import time

    from dlint_docker.sources.terraform_calls import _blank

    for text in ("/*" * 200_000, '"' * 400_000):
        started = time.process_time()
        assert len(_blank(text)) == len(text)
        assert time.process_time() - started < 2  # was quadratic: a retry to the end from each opener


USER_DATA_WITH_A_TEMPLATE_ELSEWHERE = """\
resource "aws_instance" "a" {
  user_data = <<-EOT
    #cloud-config
    write_files:
      - path: /etc/motd
        content: "${var.banner}"
      - path: /etc/systemd/system/docker.service.d/opts.conf
        content: |
          [Service]
          ExecStart=
          ExecStart=/usr/bin/dockerd $DOCKER_OPTS -H fd://
      - path: /etc/docker/daemon.json
        content: |
          {"log-level": "${var.level}"}
  EOT
}
"""


def test_a_template_expression_in_one_user_data_entry_leaves_the_others_literal(tmp_path):
    """Only the entry that holds ``${}`` is a template: the drop-in is read as written (its
    $DOCKER_OPTS is systemd's, not Terraform's), so live-restore is judged; the daemon.json
    with ${var.level} stays unjudged."""
    text = USER_DATA_WITH_A_TEMPLATE_ELSEWHERE
    write_tree(tmp_path, {"main.tf": text})
    result = scan(tmp_path)
    (machine,) = result.hosts
    from dlint_docker.facts import templated_command

    assert templated_command(machine) is None
    finding = only(result, "DKD101")
    assert where(finding) == at(text, '{"log-level"')  # the daemon.json that lacks the key
    assert not [f for f in result.findings if f.rule in ("DKD004", "DKD404")]
    # the same drop-in with a ${} of its own is a template: nothing that needs the command line is judged
    write_tree(tmp_path, {"main.tf": text.replace("-H fd://", "-H ${var.socket}")})
    result = scan(tmp_path)
    assert templated_command(result.hosts[0]) is not None and not [f for f in result.findings if f.rule == "DKD101"]


def test_hcl1_argument_names_with_dots_parse(tmp_path):
    """Terraform 0.11 accepted `guestinfo.coreos.config.data = ...` (vSphere's extra_config): no
    syntax error, and the rest of the file is read."""
    text = (
        'resource "vsphere_virtual_machine" "node" {\n'
        '  extra_config {\n'
        '    guestinfo.coreos.config.data.encoding = "base64"\n'
        '    guestinfo.coreos.config.data          = "${base64encode(var.ignition)}"\n'
        '  }\n'
        '}\n'
        'resource "aws_instance" "a" {\n'
        '  user_data = "#!/bin/sh\\napt-get install -y docker-ce\\n"\n'
        '}\n'
    )
    write_tree(tmp_path, {"main.tf": text})
    result = scan(tmp_path)
    assert not [f for f in result.findings if f.rule == "DKD904"]
    assert [h.name for h in result.hosts] == ["main.tf › aws_instance.a"]


def test_a_folder_terraform_refuses_deploys_none_of_its_machines(tmp_path):
    """A systemd drop-in saved as a .tf beside main.tf: Terraform refuses the whole folder (DKD904
    there), so the null_resource in main.tf runs on no machine: not judged, one line says so."""
    main = (
        'resource "null_resource" "target" {\n'
        '  provisioner "remote-exec" {\n    inline = ["curl -fsSL https://get.docker.com | sh"]\n  }\n}\n'
    )
    write_tree(tmp_path, {"mod/main.tf": main, "mod/startup-options.tf": "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd\n"})
    result = scan(tmp_path)
    assert sorted(f.rule for f in result.findings) == ["DKD904"]
    (refused,) = [h for h in result.hosts if h.undeployed]
    assert "mod/startup-options.tf does not parse" in refused.undeployed
    (tmp_path / "mod/startup-options.tf").unlink()
    assert [f.rule for f in scan(tmp_path).findings] == ["DKD101"]


@pytest.mark.parametrize("argument, used", [("config", "user_data = var.config"), ("boot", 'user_data = "${var.boot}"'), ("init", "user_data_base64 = base64encode(var.init)")])
def test_a_module_argument_its_module_uses_as_user_data_is_that_machines(tmp_path, argument, used):
    """module "web" { config = templatefile(...) } where the called module's aws_instance has
    user_data = var.config: the template is the user data of the module call's machine."""
    from .helpers import scan, write_tree

    write_tree(tmp_path, {
        "main.tf": f'module "web" {{\n  source = "./modules/node"\n  {argument} = templatefile("${{path.module}}/init.yaml", {{}})\n}}\n',
        "init.yaml": "#cloud-config\npackages:\n  - docker-ce\nruncmd:\n  - dockerd -H tcp://0.0.0.0:2375 &\n",
        "modules/node/main.tf": f'variable "{argument}" {{}}\nresource "aws_instance" "node" {{\n  ami = "ami-1"\n  {used}\n}}\n',
    })
    result = scan(tmp_path)
    assert [h.name for h in result.hosts] == ["main.tf › module.web"]
    assert "DKD401" in {f.rule for f in result.findings}


def test_a_module_argument_its_module_does_not_use_as_user_data_is_not_read(tmp_path):
    from .helpers import scan, write_tree

    write_tree(tmp_path, {
        "main.tf": 'module "web" {\n  source = "./modules/node"\n  notes = file("${path.module}/init.yaml")\n}\n',
        "init.yaml": "#cloud-config\npackages:\n  - docker-ce\n",
        "modules/node/main.tf": 'variable "notes" {}\nresource "aws_instance" "node" {\n  ami = "ami-1"\n  tags = { notes = var.notes }\n}\n',
    })
    result = scan(tmp_path)
    assert "main.tf › module.web" not in [h.name for h in result.hosts]


def test_a_cloudinit_config_part_declared_cloud_config_is_read_without_its_header(tmp_path):
    """cloud-init routes a MIME part by the content type it declares: a file part of a
    cloudinit_config with content_type = "text/cloud-config" is a cloud-config even when its text
    has no #cloud-config line (its daemon.json is read)."""
    from .helpers import scan, write_tree

    write_tree(tmp_path, {
        "main.tf": (
            'data "cloudinit_config" "init" {\n  part {\n    content_type = "text/cloud-config"\n'
            '    content = file("${path.module}/init.yaml")\n  }\n'
            '  part {\n    content_type = "text/x-shellscript"\n    content = file("${path.module}/install.sh")\n  }\n}\n'
            'resource "aws_instance" "vm" {\n  user_data = data.cloudinit_config.init.rendered\n}\n'
        ),
        "init.yaml": "write_files:\n  - path: /etc/docker/daemon.json\n    content: |\n      {\"live-restore\": true}\n",
        "install.sh": "#!/bin/sh\napt-get install -y docker-ce\n",
    })
    result = scan(tmp_path)
    (host,) = result.hosts
    assert host.daemon_configs and not [f for f in result.findings if f.rule == "DKD101"]


def test_an_empty_string_is_empty_and_an_empty_cloud_config_part_reads_nothing(tmp_path):
    """`""` is the empty string (not a lone quote); a cloudinit_config part declared
    text/cloud-config whose content is a conditional's "" branch is nothing to read, never a
    cloud-config that does not parse."""
    from dlint_docker.document import Document
    from dlint_docker.hcl import Evaluator, Hcl

    from .helpers import scan, write_tree

    hcl = Hcl(Document('x = ""\n', "m.tf"))
    root = hcl.tree.root_node.child(0) if hcl.tree.root_node.child(0).type == "body" else hcl.tree.root_node
    (attribute,) = hcl.attributes(root).values()
    assert [v.text.text for v in Evaluator(hcl, None, "terraform", notes=[]).values(attribute.expr, ("x",))] == [""]
    write_tree(tmp_path, {
        "main.tf": (
            'data "cloudinit_config" "init" {\n  part {\n    content_type = "text/cloud-config"\n'
            '    content = var.keys ? yamlencode({"a" = 1}) : ""\n  }\n'
            '  part {\n    content_type = "text/x-shellscript"\n    content = file("${path.module}/install.sh")\n  }\n}\n'
            'resource "aws_instance" "vm" {\n  user_data = data.cloudinit_config.init.rendered\n}\n'
        ),
        "install.sh": "#!/bin/sh\napt-get install -y docker-ce\n",
    })
    result = scan(tmp_path)
    assert [f.rule for f in result.findings] == ["DKD101"]


def test_an_ecs_container_instance_is_a_docker_host_of_unknown_configuration(tmp_path):
    """User data that only writes the ECS agent's /etc/ecs/ecs.config makes an ECS container instance:
    its Docker engine comes with the ECS-optimized AMI, so it is a host whose daemon.json is unknown
    (one unknown line, no "live-restore not set"), not a machine without Docker."""
    from .helpers import scan, write_tree

    write_tree(tmp_path, {
        "main.tf": (
            'resource "aws_launch_configuration" "ecs" {\n  image_id = "ami-1"\n  user_data = <<EOF\n'
            "#!/bin/bash\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config\nEOF\n}\n"
        ),
    })
    result = scan(tmp_path)
    assert [h.name for h in result.hosts] == ["main.tf › aws_launch_configuration.ecs"]
    assert not result.findings
    (unknown,) = result.unknowns
    assert "ECS-optimized AMI" in unknown.why and "DKD101" in unknown.skipped


def test_a_provider_image_with_the_engine_in_it_is_a_docker_host(tmp_path):
    """Hetzner's docker-ce app image brings docker-ce (unpinned, packaged unit, no daemon.json):
    each server booted from it is a Docker host without live-restore; another image is not."""
    tf = (
        'resource "hcloud_server" "nodes" {\n  count = 2\n  image = "docker-ce"\n}\n'
        'resource "hcloud_server" "plain" {\n  image = "ubuntu-22.04"\n}\n'
    )
    write_tree(tmp_path, {"main.tf": tf})
    result = scan(tmp_path)
    (host,) = result.hosts
    (package,) = host.of(EnginePackage)
    assert (package.name, package.pin, package.location.line, package.location.column) == ("docker-ce", "none", 3, 11)
    assert [(f.rule, f.location.line) for f in result.findings if f.rule == "DKD101"] == [("DKD101", 3)]


def test_an_engine_image_passed_to_a_module_is_its_machine_s(tmp_path):
    """``module "vm" { image = "docker-20-04" }`` whose module boots ``digitalocean_droplet`` with
    ``image = var.image``: DigitalOcean's Docker 1-Click, a Docker host (at the argument)."""
    root = 'module "vm" {\n  source = "../../modules/vm"\n  image  = "docker-20-04"\n}\n'
    write_tree(tmp_path, {
        "envs/dev/main.tf": root,
        "modules/vm/main.tf": 'variable "image" {}\nresource "digitalocean_droplet" "this" {\n  image = var.image\n}\n',
    })
    result = scan(tmp_path)
    assert [(f.rule, f.location.path, f.location.line) for f in result.findings] == [("DKD101", "envs/dev/main.tf", 3)]


@pytest.mark.parametrize("declared", ['  vars = {\n    image = var.image\n  }\n', '  vars {\n    image = "${var.image}"\n  }\n'])
def test_a_template_that_uses_a_variable_its_vars_do_not_declare_renders_nowhere(tmp_path, declared):
    """template_file fails on ``${ubuntu_version}`` that its vars (0.12 attribute or 0.11 block)
    do not declare: no machine gets the template, and it is no machine of its own either."""
    from .helpers import scan

    tf = 'data "template_file" "user_data" {\n  template = file("${path.module}/user_data.tmpl")\n' + declared + '}\n'
    tf += 'output "user_data" {\n  value = data.template_file.user_data.rendered\n}\n'
    template = "#cloud-config\nruncmd:\n  - apt-get install -y docker-ce\n  - docker run ${image} ubuntu-${ubuntu_version}\n"
    write_tree(tmp_path, {"config/template.tf": tf, "config/user_data.tmpl": template})
    result = scan(tmp_path)
    assert result.hosts == [] and result.findings == []
    write_tree(tmp_path, {"config/user_data.tmpl": template.replace("${ubuntu_version}", "$${ubuntu_version}")})
    (host,) = scan(tmp_path).hosts  # escaped: rendered, the module's output is a machine of its own
    assert host.name == "config/template.tf › data.template_file.user_data"


_VM_MODULE = {
    "modules/vm/variables.tf": 'variable "startup" {\n  type    = string\n  default = "curl -fsSL https://get.docker.com | sh"\n}\nvariable "name" {}\n',
    "modules/vm/main.tf": 'resource "google_compute_instance" "vm" {\n  name                    = var.name\n  metadata_startup_script = var.startup\n}\n',
}


def test_a_module_variable_no_call_sets_is_its_default(tmp_path):
    """``metadata_startup_script = var.startup`` in a module that two calls use without setting
    ``startup``: every call gets the default (get.docker.com), so the machine is judged (DKD101
    at the default in variables.tf)."""
    calls = 'module "a" {\n  source = "./modules/vm"\n  name   = "a"\n}\nmodule "b" {\n  source = "./modules/vm"\n  name   = "b"\n}\n'
    write_tree(tmp_path, {**_VM_MODULE, "main.tf": calls})
    result = scan(tmp_path)
    (finding,) = result.findings
    assert (finding.rule, finding.location.path, finding.location.line) == ("DKD101", "modules/vm/variables.tf", 3)
    assert finding.host == "modules/vm/main.tf › google_compute_instance.vm"
    # a call that sets it: the default is not what that machine runs, so it is not read as such
    write_tree(tmp_path, {"main.tf": calls.replace('  name   = "b"\n', '  name   = "b"\n  startup = "echo hello"\n')})
    assert not [f for f in scan(tmp_path).findings if f.location.path == "modules/vm/variables.tf"]


def test_a_cloud_config_beside_the_one_terraform_reads_and_named_like_it_is_not_deployed(tmp_path):
    """cloud-init.txt is the VM's custom_data; cloud-init-example-2.txt beside it, which no .tf
    names, is an example (not a machine: said in dlint hosts, not judged). A cloud-config of
    another name in that folder is still judged on its own."""
    write_tree(tmp_path, {
        "main.tf": 'resource "azurerm_linux_virtual_machine" "vm" {\n  custom_data = filebase64("${path.module}/cloud-init.txt")\n}\n',
        "cloud-init.txt": INIT_YML,
        "cloud-init-example-2.txt": INIT_YML.replace("docker.io", "docker-ce"),
    })
    result = scan(tmp_path)
    assert sorted(f.host for f in result.findings if f.rule == "DKD101") == ["main.tf › azurerm_linux_virtual_machine.vm"]
    (example,) = [h for h in result.hosts if h.name == "cloud-init-example-2.txt"]
    assert example.undeployed.startswith("a cloud-config nothing runs, beside cloud-init.txt")
    write_tree(tmp_path, {"bastion.yml": INIT_YML})
    assert "bastion.yml" in [f.host for f in scan(tmp_path).findings if f.rule == "DKD101"]


# ------------------------------------------------------------------------------------------
# jsonencode() / yamlencode(): a cloud-config or a daemon.json written as an HCL value

ENCODED_LOCALS = '''\
variable "labels" {
  type    = list(string)
  default = []
}

locals {
  daemon = {
    "log-driver"   = "json-file"
    "live-restore" = false
    "labels"       = var.labels
  }
  first = var.index == 0
  cloud = {
    packages = concat(["docker.io", "jq"], var.extra)
    write_files = [
      {
        path    = "/etc/docker/daemon.json"
        content = jsonencode(local.daemon)
      },
    ]
    runcmd = compact([
      "systemctl enable --now docker",
      local.first ? "docker swarm init" : null,
    ])
  }
}
'''
ENCODED_SERVER = 'resource "aws_instance" "node" {\n  ami       = "ami-1"\n  user_data = "#cloud-config\\n${yamlencode(local.cloud)}"\n}\n'


def test_a_cloud_config_written_as_an_hcl_object_is_read_key_by_key(tmp_path):
    """``"#cloud-config\\n${yamlencode(local.cloud)}"`` with ``content = jsonencode(local.daemon)``:
    the packages, the daemon.json and its keys are read, each finding at the HCL key; a variable's
    value is unknown (said, not judged), and a command on a condition dlint cannot decide holds on
    some machines (the swarm init makes the host a swarm node, so DKD101 is not asked)."""
    no_swarm = ENCODED_LOCALS.replace('      local.first ? "docker swarm init" : null,\n', "")
    write_tree(tmp_path, {"main.tf": no_swarm + ENCODED_SERVER})
    result = scan(tmp_path)
    (host,) = result.hosts
    assert host.name == "main.tf › aws_instance.node"
    (package,) = host.of(EnginePackage)
    assert (package.name, package.location.path, (package.location.line, package.location.column)) == ("docker.io", "main.tf", at(no_swarm, "docker.io"))
    finding = only(result, "DKD101")
    assert (finding.location.path, where(finding)) == ("main.tf", at(no_swarm, "live-restore"))
    assert [u for u in result.unknowns if "labels" in u.why and "DKD003" in u.skipped]
    assert not [f for f in result.findings if f.rule == "DKD003"]  # labels: a template's value, not a string
    write_tree(tmp_path, {"main.tf": ENCODED_LOCALS + ENCODED_SERVER})
    result = scan(tmp_path)
    (host,) = result.hosts
    (swarm,) = host.of(SwarmMembership)
    assert (swarm.location.line, swarm.location.column) == at(ENCODED_LOCALS, "docker swarm init")
    assert not [f for f in result.findings if f.rule == "DKD101"]


def test_an_encoded_value_in_another_file_of_the_module_maps_into_that_file(tmp_path):
    """The server in main.tf, ``local.cloud`` in locals.tf: the findings point into locals.tf."""
    write_tree(tmp_path, {"locals.tf": ENCODED_LOCALS.replace('      local.first ? "docker swarm init" : null,\n', ""), "main.tf": ENCODED_SERVER})
    result = scan(tmp_path)
    finding = only(result, "DKD101")
    assert finding.location.path == "locals.tf"
    assert where(finding) == at((tmp_path / "locals.tf").read_text(), "live-restore")
    assert finding.host == "main.tf › aws_instance.node"


def test_a_daemon_json_written_by_jsonencode_is_judged_at_its_keys(tmp_path):
    """``content = jsonencode({...})`` of a file provisioner to /etc/docker/daemon.json, beside a
    remote-exec that installs the engine: one host, DKD003 at the wrong type's key."""
    tf = (
        'resource "aws_instance" "node" {\n'
        '  provisioner "file" {\n'
        '    destination = "/etc/docker/daemon.json"\n'
        '    content = jsonencode({\n'
        '      "live-restore" = true\n'
        '      "max-concurrent-downloads" = "3"\n'
        '    })\n'
        '  }\n'
        '  provisioner "remote-exec" {\n'
        '    inline = ["curl -fsSL https://get.docker.com | sh"]\n'
        '  }\n'
        '}\n'
    )
    write_tree(tmp_path, {"main.tf": tf})
    result = scan(tmp_path)
    finding = only(result, "DKD003")
    assert where(finding) == at(tf, '"3"')
    assert not [f for f in result.findings if f.rule == "DKD101"]


def test_encoded_text_is_what_terraform_writes():
    """The encoder's text: keys sorted, JSON compact with Terraform's escapes, YAML that reads back
    as the same value, multi-line strings as literal blocks."""
    import json as jsonlib

    from ruamel.yaml import YAML

    from dlint_docker.hcl import Evaluator, Hcl

    tf = (
        'locals {\n  v = {\n    b = [1, true, null, "x<y"]\n    a = "two\\nlines\\n"\n    "c-d" = { e = "  lead" }\n  }\n}\n'
        'output "j" {\n  value = jsonencode(local.v)\n}\noutput "y" {\n  value = yamlencode(local.v)\n}\n'
    )
    hcl = Hcl(Document(tf, "main.tf"))
    evaluator = Evaluator(hcl, None, "terraform")
    texts = []
    for block in hcl.top_blocks(("output",)):
        (value,) = evaluator.values(hcl.attributes(block.body)["value"].expr, ("x",))
        texts.append(value.text.text)
    expected = {"a": "two\nlines\n", "b": [1, True, None, "x<y"], "c-d": {"e": "  lead"}}
    assert texts[0] == '{"a":"two\\nlines\\n","b":[1,true,null,"x\\u003cy"],"c-d":{"e":"  lead"}}'
    assert jsonlib.loads(texts[0]) == expected
    assert YAML(typ="safe").load(texts[1]) == expected


def test_an_encoded_value_too_deep_to_read_is_said_not_read(tmp_path):
    """A jsonencode() of lists nested 200 deep: a note, no host, no crash, in bounded time."""
    deep = "[" * 200 + '"x"' + "]" * 200
    tf = f'resource "aws_instance" "node" {{\n  user_data = jsonencode({deep})\n}}\n'
    write_tree(tmp_path, {"main.tf": tf})
    result = scan(tmp_path)
    assert result.hosts == []
    assert [n for n in result.notes if "jsonencode() of a value too large or deep to read" in n]


def test_each_value_of_a_literal_for_each_map_is_one_machine_per_key(tmp_path):
    """``for_each = local.vms`` (a literal map of objects) and ``custom_data = each.value.custom_data``:
    each key is a machine given its own script; only the one whose script installs the engine is
    a Docker host, named by its key."""
    tf = (
        'locals {\n  vms = {\n    app = {\n      custom_data = filebase64("${path.module}/app.sh")\n    }\n'
        '    db = {\n      custom_data = filebase64("${path.module}/db.sh")\n    }\n  }\n}\n'
        'resource "azurerm_linux_virtual_machine" "vm" {\n  for_each    = local.vms\n  custom_data = each.value.custom_data\n}\n'
    )
    write_tree(tmp_path, {
        "main.tf": tf,
        "app.sh": "#!/bin/bash\napt-get install -y docker-ce\n",
        "db.sh": "#!/bin/bash\napt-get install -y postgresql\n",
    })
    result = scan(tmp_path)
    assert [h.name for h in result.hosts] == ['main.tf › azurerm_linux_virtual_machine.vm["app"]']
    (finding,) = result.findings
    assert (finding.rule, finding.location.path, finding.location.line) == ("DKD101", "app.sh", 2)
    # a for_each dlint cannot read (a variable): no machine of the resource is guessed (the
    # script is then judged on its own, as any script nothing reads)
    write_tree(tmp_path, {"main.tf": tf.replace("for_each    = local.vms", "for_each    = var.vms")})
    assert [h.name for h in scan(tmp_path).hosts] == ["app.sh"]


_SWARM_MODULE = {
    "modules/managers/main.tf": (
        'variable "user_data" {}\n'
        'data "template_file" "first" {\n  template = file("${path.module}/scripts/first.sh")\n}\n'
        'resource "digitalocean_droplet" "manager" {\n  count     = 3\n  user_data = var.user_data\n'
        '  provisioner "file" {\n    content     = data.template_file.first.rendered\n    destination = "/tmp/first.sh"\n  }\n'
        '  provisioner "remote-exec" {\n    inline = ["chmod +x /tmp/first.sh", "if [ ${count.index} -eq 0 ]; then /tmp/first.sh; fi"]\n  }\n'
        '  provisioner "file" {\n    source      = "${path.module}/scripts/certs/default.sh"\n    destination = "/tmp/certs.sh"\n  }\n'
        '  provisioner "remote-exec" {\n    inline = ["bash /tmp/certs.sh"]\n  }\n}\n'
    ),
    "modules/managers/scripts/first.sh": "#!/bin/sh\ndocker swarm init\n",
    "modules/managers/scripts/certs/default.sh": (
        "#!/bin/sh\ncat > /etc/systemd/system/docker.service.d/tls.conf <<EOF\n[Service]\nExecStart=\n"
        "ExecStart=/usr/bin/dockerd -H fd:// --tlsverify\nEOF\n"
    ),
    "modules/managers/scripts/certs/coreos.sh": (
        "#!/bin/sh\ncat > /etc/systemd/system/docker.service.d/tls.conf <<EOF\n[Service]\nExecStart=\n"
        "ExecStart=/usr/bin/dockerd -H tcp://0.0.0.0:2376\nEOF\n"
    ),
    "main.tf": 'variable "manager_user_data" {}\nmodule "managers" {\n  source    = "./modules/managers"\n  user_data = var.manager_user_data\n}\n',
    "examples/user-data/main.tf": 'module "cluster" {\n  source            = "../../"\n  manager_user_data = file("scripts/install.sh")\n}\n',
    "examples/user-data/scripts/install.sh": "#!/bin/sh\nyum install -y docker-ce\n",
    "examples/usage/main.tf": 'module "cluster" {\n  source = "../../"\n}\n',
    "examples/usage/scripts/install.sh": "#!/bin/sh\nyum install -y docker-ce\nsystemctl start docker\n",
    "examples/old/broken/main.tf": 'module "cluster" {\n  source    = "../../modules/managers"\n  user_data = file("scripts/install.sh")\n}\n',
    "examples/old/broken/scripts/install.sh": "#!/bin/sh\napt-get install -y docker-ce\n",
}


def test_the_machines_of_a_swarm_module_and_of_its_examples(tmp_path):
    """A module whose droplets run a rendered swarm-init script (``content = data.template_file
    .x.rendered``, run as ``then /tmp/first.sh``) and a certs script (default.sh; coreos.sh beside
    it runs nowhere); the root module calls it; examples call the root module with their user data.
    Nothing there is asked for live-restore: the droplets are swarm nodes, the example's machine is
    one of the module's (whether a swarm node: said), an example whose module source does not exist
    deploys nothing, and a same-named script no .tf of its example names is a leftover. coreos.sh's
    TCP socket (DKD401) is no machine's."""
    write_tree(tmp_path, _SWARM_MODULE)
    result = scan(tmp_path)
    assert [(f.rule, f.location.path) for f in result.findings] == []
    by_name = {h.name: h for h in result.hosts}
    (swarm,) = by_name["modules/managers/main.tf › digitalocean_droplet.manager[count]"].of(SwarmMembership)
    assert (swarm.command, swarm.location.path) == ("init", "modules/managers/scripts/first.sh")
    assert by_name["modules/managers/scripts/certs/coreos.sh"].undeployed.startswith("a script nothing runs, beside modules/managers/scripts/certs/default.sh")
    assert by_name["examples/usage/scripts/install.sh"].undeployed.startswith("a script of a Terraform configuration that nothing runs")
    assert not [h for h in result.hosts if h.name.startswith("examples/old/broken")]
    (unknown,) = [u for u in result.unknowns if u.host == "examples/user-data/main.tf › module.cluster"]
    assert unknown.why.startswith("whether it is a swarm node") and unknown.skipped == ["DKD101"]
    # a script an example's .tf names, even in a way dlint does not follow, is still judged
    write_tree(tmp_path, {"examples/usage/main.tf": 'module "cluster" {\n  source = "../../"\n}\nlocals {\n  s = "scripts/install.sh"\n}\n'})
    assert [f.location.path for f in scan(tmp_path).findings if f.rule == "DKD101"] == ["examples/usage/scripts/install.sh"]


def test_a_bare_module_source_and_a_rendered_drop_in_uploaded_by_a_file_provisioner(tmp_path):
    """Terraform 0.11's ``source = "modules/vm"`` (no ./) calls the module folder; its
    null_resource uploads ``data.template_file.conf.rendered`` to a docker.service drop-in and
    installs the engine: one machine, whose dockerd command line is that drop-in's (its TCP socket
    without TLS is DKD401 there), and the module is deployed."""
    vm = (
        'data "template_file" "conf" {\n  template = file("${path.module}/files/override.conf")\n}\n'
        'resource "null_resource" "boot" {\n'
        '  provisioner "file" {\n    content     = data.template_file.conf.rendered\n'
        '    destination = "/etc/systemd/system/docker.service.d/override.conf"\n  }\n'
        '  provisioner "remote-exec" {\n    inline = ["apt-get install -y docker-ce"]\n  }\n}\n'
    )
    conf = "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H tcp://0.0.0.0:2375\n"
    write_tree(tmp_path, {"main.tf": 'module "vm" {\n  source = "modules/vm"\n}\n', "modules/vm/main.tf": vm, "modules/vm/files/override.conf": conf})
    result = scan(tmp_path)
    assert [h.name for h in result.hosts] == ["modules/vm/main.tf › null_resource.boot"]
    assert not result.hosts[0].undeployed
    finding = only(result, "DKD401")
    assert finding.location.path == "modules/vm/files/override.conf" and finding.host == "modules/vm/main.tf › null_resource.boot"
