package io.kshift.proxy.warmup;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.secret.Pem;
import io.kshift.proxy.tls.ServerTls;
import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The warm-up's self-written certificate is one the JDK reads, trusts by its own key and serves by name. */
class WarmUpCertificateTest {
    private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");

    @Test
    void aSelfSignedCertificateForTheNameWithItsKey() throws Exception {
        ServerTls.Identity id = WarmUpCertificate.selfSigned("warm-up.kshift.invalid", NOW);

        X509Certificate cert = Pem.certificates(id.certPem().getBytes(StandardCharsets.US_ASCII)).get(0);
        assertThat(cert.getVersion()).isEqualTo(3);
        assertThat(cert.getSerialNumber().signum()).isPositive();
        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=warm-up.kshift.invalid");
        assertThat(cert.getIssuerX500Principal()).isEqualTo(cert.getSubjectX500Principal());
        assertThat(cert.getSubjectAlternativeNames()).containsExactly(List.of(2, "warm-up.kshift.invalid"));
        assertThat(cert.getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(cert.getSigAlgParams()).isNull(); // RFC 5758: ecdsa-with-SHA256 takes no parameters
        cert.verify(cert.getPublicKey()); // signed by its own key: the DER it signed is the DER it holds
        cert.checkValidity(Date.from(NOW));
        assertThat(cert.getNotAfter().toInstant()).isEqualTo(NOW.plusSeconds(86_400));

        // The private key is the certificate's: what it signs, the certificate's key verifies.
        var key = Pem.privateKey(id.keyPem().getBytes(StandardCharsets.US_ASCII));
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(key);
        signer.update(new byte[] {1, 2, 3});
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(cert.getPublicKey());
        verifier.update(new byte[] {1, 2, 3});
        assertThat(verifier.verify(signature)).isTrue();

        // And what a gateway's TLS is built from holds it.
        ServerTls tls = new ServerTls(List.of(id), null, List.of()).verified();
        assertThat(tls.netty()).isNotNull(); // builds, or throws naming what does not read
    }

    @Test
    void datesFrom2050AreGeneralizedTime() throws Exception {
        Instant late = Instant.parse("2049-12-31T12:00:00Z"); // valid until a day later: past 2049
        X509Certificate cert = Pem.certificates(WarmUpCertificate.selfSigned("late.invalid", late).certPem()
                .getBytes(StandardCharsets.US_ASCII)).get(0);
        assertThat(cert.getNotBefore().toInstant()).isEqualTo(late.minusSeconds(3600));
        assertThat(cert.getNotAfter().toInstant()).isEqualTo(late.plusSeconds(86_400));
    }

    @Test
    void longContentsGetTheLongLengthForm() {
        assertThat(WarmUpCertificate.tlv(0x04, new byte[127])).startsWith(0x04, 127);
        assertThat(WarmUpCertificate.tlv(0x04, new byte[128])).startsWith(0x04, 0x81, 128);
        assertThat(WarmUpCertificate.tlv(0x04, new byte[300])).startsWith(0x04, 0x82, 1, 44).hasSize(304);
    }
}
