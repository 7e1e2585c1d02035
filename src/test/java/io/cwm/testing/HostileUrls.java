package io.cwm.testing;

import java.util.List;

/** The hostile outbound URLs of security-notes §4.2: every SSRF check must refuse all of them. */
public final class HostileUrls {
  public static final List<String> SECURITY_NOTES = List.of("http://localhost:8080/x", "http://127.0.0.1:6379/x",
      "http://0.0.0.0/x", "http://[::1]/x", "http://[0:0:0:0:0:0:0:1]/x", "http://[::ffff:127.0.0.1]/x",
      "http://[::ffff:7f00:1]/x", "http://[::]/x", "http://[fc00::1]/x", "http://[fd00::1]/x", "http://[fe80::1]/x",
      "http://[2001:db8::1]/x", "http://127.1/x", "http://127.0.1/x", "http://0177.0.0.1/x",
      "http://0177.000.000.001/x", "http://127.0.0.01/x", "http://127.000.000.001/x", "http://2130706433/x",
      "http://0x7f000001/x", "http://0x7f.0.0.1/x", "http://127%2e0%2e0%2e1/x",
      "http://%31%32%37%2e%30%2e%30%2e%31/x", "http://%6c%6f%63%61%6c%68%6f%73%74/x", "http://10.0.0.1/x",
      "http://172.16.0.1/x", "http://192.168.1.1:8080/x", "http://169.254.169.254/latest/meta-data/",
      "http://metadata.google.internal/computeMetadata/v1/", "http://metadata/",
      "http://metadata.azure.com/metadata/instance", "http://100.100.100.200/", "http://192.0.0.192/",
      "file:///etc/passwd", "gopher://x", "ftp://x", "javascript:alert(1)", "http://", "http://[::1",
      "http://x%00.com");

  private HostileUrls() {}
}
