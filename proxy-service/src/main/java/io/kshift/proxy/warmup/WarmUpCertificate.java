package io.kshift.proxy.warmup;

import io.kshift.model.secret.Pem;
import io.kshift.proxy.tls.ServerTls;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The warm-up's HTTPS certificate: a self-signed EC P-256 certificate for one DNS name, with a key made for this
 * process and dropped with it, so no key ships in the image. The JDK reads certificates but has no public API to
 * write one, and the proxy carries no certificate library, so this writes the few DER fields an X.509 v3
 * certificate needs (RFC 5280) itself; the JDK's parser checks the result when the warm-up's server loads it.
 */
final class WarmUpCertificate {
    private static final byte[] ECDSA_WITH_SHA256 = {0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x04, 0x03, 0x02};
    private static final byte[] COMMON_NAME = {0x55, 0x04, 0x03};
    private static final byte[] SUBJECT_ALT_NAME = {0x55, 0x1d, 0x11};
    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter GENERALIZED_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private WarmUpCertificate() {
    }

    /** A certificate for {@code dnsName} valid from an hour ago for a day, and its key, as PEM. */
    static ServerTls.Identity selfSigned(String dnsName, Instant now) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = generator.generateKeyPair();
        byte[] algorithm = sequence(tlv(0x06, ECDSA_WITH_SHA256));
        byte[] name = sequence(tlv(0x31, sequence(tlv(0x06, COMMON_NAME),
                tlv(0x0c, dnsName.getBytes(StandardCharsets.UTF_8)))));
        byte[] serial = new byte[16];
        new SecureRandom().nextBytes(serial);
        serial[0] &= 0x7f; // a positive INTEGER, as RFC 5280 requires,
        serial[0] |= 0x01; // and no leading zero octet, which DER's minimal encoding forbids
        byte[] altNames = sequence(tlv(0x82, dnsName.getBytes(StandardCharsets.US_ASCII)));
        byte[] tbs = sequence(
                tlv(0xa0, tlv(0x02, new byte[] {2})), // v3
                tlv(0x02, serial),
                algorithm,
                name,
                sequence(time(now.minusSeconds(3600)), time(now.plusSeconds(86_400))),
                name,
                keys.getPublic().getEncoded(), // SubjectPublicKeyInfo, DER already
                tlv(0xa3, sequence(sequence(tlv(0x06, SUBJECT_ALT_NAME), tlv(0x04, altNames)))));
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(keys.getPrivate());
        signer.update(tbs);
        byte[] signature = signer.sign(); // DER ECDSA-Sig-Value, as the BIT STRING holds it
        byte[] certificate = sequence(tbs, algorithm, tlv(0x03, concat(new byte[] {0}, signature)));
        return new ServerTls.Identity(Pem.encode("CERTIFICATE", certificate), Pem.encode("PRIVATE KEY",
                keys.getPrivate().getEncoded()));
    }

    /** UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280, 4.1.2.5). */
    private static byte[] time(Instant at) {
        return at.isBefore(Instant.parse("2050-01-01T00:00:00Z"))
                ? tlv(0x17, UTC_TIME.format(at).getBytes(StandardCharsets.US_ASCII))
                : tlv(0x18, GENERALIZED_TIME.format(at).getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] sequence(byte[]... parts) {
        return tlv(0x30, concat(parts));
    }

    /** One DER element: tag, definite length (short or long form), contents. */
    static byte[] tlv(int tag, byte[] contents) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(contents.length + 4);
        out.write(tag);
        int length = contents.length;
        if (length >= 1 << 24) {
            throw new IllegalArgumentException("a DER element of " + length + " bytes: over what this writes");
        }
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = length < 0x100 ? 1 : length < 0x10000 ? 2 : 3;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        out.writeBytes(contents);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
