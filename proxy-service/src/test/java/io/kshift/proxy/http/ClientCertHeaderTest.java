package io.kshift.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.samples.tls.DemoPki;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The x-forwarded-client-cert value: Envoy's fields, and nothing a certificate's own text can add to it. */
class ClientCertHeaderTest {
    static final DemoPki CA = DemoPki.create("xfcc-test-ca");

    @Test
    void aCertificateIsNamedByHashCertSubjectAndItsNames() throws Exception {
        DemoPki.Issued issued = CA.issue("member.example.com", "www.member.example.com");
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(issued.cert().getEncoded()));
        String value = ClientCertHeader.value(issued.cert(), false);
        assertThat(value).startsWith("Hash=" + hash + ";Cert=\"-----BEGIN%20CERTIFICATE-----%0A")
                .endsWith("-----END%20CERTIFICATE-----%0A\";Subject=\"CN=member.example.com\";URI=;DNS="
                        + "member.example.com;DNS=www.member.example.com");
        assertThat(ClientCertHeader.value(issued.cert(), true)).as("unverified: no names, the backend checks Cert")
                .isEqualTo(value.substring(0, value.indexOf(";Subject=")));
    }

    @Test
    void lineBreaksAndSeparatorsInACertificateStayInsideTheirField() throws Exception {
        DemoPki.Issued evil = CA.issue("a\r\nx-injected: 1", "b.example.com;URI=spiffe://forged", "c, d");
        String value = ClientCertHeader.value(evil.cert(), false);
        assertThat(value).doesNotContain("\r", "\n");
        assertThat(value).contains(";Subject=\"CN=a\\0D\\0Ax-injected: 1\"");
        assertThat(value).contains(";DNS=\"b.example.com;URI=spiffe://forged\"", ";DNS=\"c, d\"");
        String unquoted = value.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"");
        assertThat(unquoted.split(";URI=", -1)).as("one URI field outside quotes, the real (empty) one").hasSize(2);
        assertThat(ClientCertHeader.printable("é\u0001")).isEqualTo("\\C3\\A9\\01");
    }

    @Test
    void eachOfEnvoysModesForwardsSetsOrDropsAsItSays() {
        var lb = java.util.List.of("Hash=aa;Subject=\"CN=lb\"", "By=spiffe://edge");
        String own = "Hash=bb";
        var modes = ClientCertHeader.Mode.values();
        java.util.Map<ClientCertHeader.Mode, java.util.List<String>> seen = new java.util.EnumMap<>(
                ClientCertHeader.Mode.class);
        for (var mode : modes) {
            // Over mutual TLS with a client header; over mutual TLS without one; no client certificate, a header.
            seen.put(mode, java.util.Arrays.asList(ClientCertHeader.forwarded(mode, lb, own),
                    ClientCertHeader.forwarded(mode, java.util.List.of(), own),
                    ClientCertHeader.forwarded(mode, lb, "")));
        }
        String theirs = "Hash=aa;Subject=\"CN=lb\",By=spiffe://edge";
        assertThat(seen.get(ClientCertHeader.Mode.SANITIZE)).containsExactly(null, null, null);
        assertThat(seen.get(ClientCertHeader.Mode.FORWARD_ONLY)).containsExactly(theirs, null, null);
        assertThat(seen.get(ClientCertHeader.Mode.APPEND_FORWARD)).containsExactly(theirs + "," + own, own, null);
        assertThat(seen.get(ClientCertHeader.Mode.SANITIZE_SET)).containsExactly(own, own, null);
        assertThat(seen.get(ClientCertHeader.Mode.ALWAYS_FORWARD_ONLY)).containsExactly(theirs, null, theirs);
        assertThat(ClientCertHeader.forwarded(ClientCertHeader.Mode.APPEND_FORWARD, java.util.List.of(" ", ""), own))
                .as("blank client lines are no header").isEqualTo(own);
    }
}
