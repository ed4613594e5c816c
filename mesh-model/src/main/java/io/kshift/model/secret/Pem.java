package io.kshift.model.secret;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what a TLS Secret holds: PEM certificate chains and PEM private keys (PKCS#8 {@code PRIVATE KEY} of RSA, EC
 * or Ed25519; PKCS#1 {@code RSA PRIVATE KEY}), and proves a key belongs to a certificate. JDK only, so every service
 * reads them the same way. Each failure says what is wrong in words an operator can act on.
 */
public final class Pem {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
            (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};

    private Pem() {
    }

    /** Why PEM content is not usable. */
    public static final class PemException extends RuntimeException {
        public PemException(String message) {
            super(message);
        }
    }

    /** The certificates of a PEM bundle, in order (leaf first for a chain); at least one. */
    /** {@code der} as a PEM block of {@code type} ({@code CERTIFICATE}, {@code PRIVATE KEY}, ...), 64 columns. */
    public static String encode(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    public static List<X509Certificate> certificates(byte[] pem) {
        List<byte[]> ders = blocks(pem, "CERTIFICATE");
        if (ders.isEmpty()) {
            throw new PemException("holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        try {
            CertificateFactory f = CertificateFactory.getInstance("X.509");
            return ders.stream().map(d -> {
                try {
                    return (X509Certificate) f.generateCertificate(new ByteArrayInputStream(d));
                } catch (GeneralSecurityException e) {
                    throw new PemException("holds a certificate that cannot be read: " + e.getMessage());
                }
            }).toList();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The one private key of a PEM text. */
    public static PrivateKey privateKey(byte[] pem) {
        String text = new String(pem, StandardCharsets.US_ASCII);
        if (text.contains("BEGIN ENCRYPTED PRIVATE KEY") || text.contains("Proc-Type: 4,ENCRYPTED")) {
            throw new PemException("is an encrypted private key; a TLS Secret holds the key unencrypted");
        }
        if (text.contains("BEGIN EC PRIVATE KEY")) {
            throw new PemException("is an SEC1 'EC PRIVATE KEY'; give it as PKCS#8 "
                    + "(openssl pkcs8 -topk8 -nocrypt -in key.pem)");
        }
        List<byte[]> pkcs8 = blocks(pem, "PRIVATE KEY");
        List<byte[]> pkcs1 = blocks(pem, "RSA PRIVATE KEY");
        if (pkcs8.size() + pkcs1.size() != 1) {
            throw new PemException(pkcs8.isEmpty() && pkcs1.isEmpty()
                    ? "holds no PEM private key (-----BEGIN PRIVATE KEY-----)" : "holds more than one private key");
        }
        byte[] der = pkcs8.isEmpty() ? wrapPkcs1(pkcs1.get(0)) : pkcs8.get(0);
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "RSASSA-PSS")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException | RuntimeException e) {
                // not this algorithm
            }
        }
        throw new PemException("holds a private key that is not RSA, EC or Ed25519, or is damaged");
    }

    /** Fails unless {@code key} is the private half of {@code leaf}'s public key (a signature made and checked). */
    public static void checkPair(X509Certificate leaf, PrivateKey key) {
        PublicKey pub = leaf.getPublicKey();
        String sig = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        boolean ok = false;
        if (sig != null && pub.getAlgorithm().equals(key.getAlgorithm())
                || "EdDSA".equals(pub.getAlgorithm()) && "Ed25519".equals(sig)) {
            try {
                byte[] probe = new byte[32];
                new SecureRandom().nextBytes(probe);
                Signature s = Signature.getInstance(sig);
                s.initSign(key);
                s.update(probe);
                byte[] signed = s.sign();
                Signature v = Signature.getInstance(sig);
                v.initVerify(pub);
                v.update(probe);
                ok = v.verify(signed);
            } catch (GeneralSecurityException e) {
                ok = false;
            }
        }
        if (!ok) {
            throw new PemException("is not the private key of the certificate (" + leaf.getSubjectX500Principal()
                    .getName() + ")");
        }
    }

    private static List<byte[]> blocks(byte[] pem, String label) {
        Matcher m = BLOCK.matcher(new String(pem, StandardCharsets.US_ASCII));
        List<byte[]> out = new java.util.ArrayList<>();
        while (m.find()) {
            if (m.group(1).equals(label)) {
                try {
                    out.add(Base64.getMimeDecoder().decode(m.group(2)));
                } catch (IllegalArgumentException e) {
                    throw new PemException("holds a " + label + " block that is not valid base64");
                }
            }
        }
        return out;
    }

    /** PKCS#1 RSAPrivateKey inside a PKCS#8 PrivateKeyInfo (version 0, rsaEncryption), which the JDK reads. */
    private static byte[] wrapPkcs1(byte[] pkcs1) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[]{0x02, 0x01, 0x00});
        body.writeBytes(RSA_ALGORITHM);
        body.write(0x04);
        body.writeBytes(length(pkcs1.length));
        body.writeBytes(pkcs1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x30);
        out.writeBytes(length(body.size()));
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    private static byte[] length(int n) {
        if (n < 0x80) {
            return new byte[]{(byte) n};
        }
        if (n < 0x100) {
            return new byte[]{(byte) 0x81, (byte) n};
        }
        if (n < 0x10000) {
            return new byte[]{(byte) 0x82, (byte) (n >> 8), (byte) n};
        }
        return new byte[]{(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
    }
}
