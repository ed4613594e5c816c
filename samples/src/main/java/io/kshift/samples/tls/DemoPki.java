package io.kshift.samples.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority for demos and tests: a self-signed CA that issues server and client
 * certificates for given DNS names, as PEM (what a Kubernetes {@code kubernetes.io/tls} Secret holds) and as JDK
 * {@link SSLContext}s for sample backends and clients. EC P-256 keys by default; RSA on request, since real
 * Secrets hold both. Keys live in memory and certificates for a day unless asked otherwise; the one longer use is
 * the compose fleet's own Kafka TLS ({@code ./kshift keys}), a private CA for a single host's containers.
 */
public final class DemoPki {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());
    private final KeyPair caKeys;
    private final X509Certificate ca;

    /** A certificate and its private key, PEM-encoded (the key as PKCS#8). */
    public record Issued(String certPem, String keyPem, X509Certificate cert, PrivateKey key) {
        public byte[] certBytes() {
            return certPem.getBytes(StandardCharsets.US_ASCII);
        }

        public byte[] keyBytes() {
            return keyPem.getBytes(StandardCharsets.US_ASCII);
        }
    }

    private DemoPki(KeyPair caKeys, X509Certificate ca) {
        this.caKeys = caKeys;
        this.ca = ca;
    }

    /** A new CA named {@code CN=<name>}, valid for a day. */
    public static DemoPki create(String name) {
        return create(name, Duration.ofDays(1));
    }

    /** A new CA valid for {@code validity} (compose's Kafka TLS, which a day would not outlive). */
    public static DemoPki create(String name, Duration validity) {
        KeyPair keys = keyPair("EC");
        X500Name subject = new X500Name("CN=" + name);
        X509v3CertificateBuilder b = builder(subject, subject, keys, validity);
        try {
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new DemoPki(keys, sign(b, keys.getPrivate()));
    }

    public String caPem() {
        return pem(ca);
    }

    public X509Certificate caCert() {
        return ca;
    }

    /**
     * A server (and client) certificate for {@code dnsNames} (the first is the CN; an IP literal or a URI among them
     * is carried as an IP address or URI name), EC P-256.
     */
    public Issued issue(String... dnsNames) {
        return issueWith("EC", Duration.ofDays(1), dnsNames);
    }

    /** As {@link #issue(String...)} with an {@code EC} or {@code RSA} key, valid for {@code validity}. */
    public Issued issueWith(String algorithm, Duration validity, String... dnsNames) {
        KeyPair keys = keyPair(algorithm);
        X509v3CertificateBuilder b = builder(X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()),
                new X500Name("CN=" + dnsNames[0]), keys, validity);
        try {
            GeneralName[] names = java.util.Arrays.stream(dnsNames).map(DemoPki::name).toArray(GeneralName[]::new);
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature
                    | KeyUsage.keyEncipherment));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[]{
                    KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        X509Certificate cert = sign(b, caKeys.getPrivate());
        return new Issued(pem(cert), pem(keys.getPrivate()), cert, keys.getPrivate());
    }

    /** A subject alternative name: an IP literal an address, a name with a URI scheme a URI, else a DNS name. */
    private static GeneralName name(String n) {
        if (n.matches("[0-9.]+") || n.contains("::") || n.matches("[0-9a-fA-F:]+:[0-9a-fA-F]+")) {
            return new GeneralName(GeneralName.iPAddress, n);
        }
        return n.matches("[A-Za-z][A-Za-z0-9+.-]*:.*") ? new GeneralName(GeneralName.uniformResourceIdentifier, n)
                : new GeneralName(GeneralName.dNSName, n);
    }

    /** A server-side (and client-side) JDK TLS context presenting {@code identity}, trusting this CA. */
    public SSLContext sslContext(Issued identity) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("key", identity.key(), new char[0], new Certificate[]{identity.cert(), ca});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), trustManagers(), new SecureRandom());
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client-side JDK TLS context that trusts this CA and presents no certificate. */
    public SSLContext trustingContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trustManagers(), new SecureRandom());
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private javax.net.ssl.TrustManager[] trustManagers() throws GeneralSecurityException, IOException {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        return tmf.getTrustManagers();
    }

    /**
     * A client TLS connection to {@code host:port} sending {@code sni}, the server's certificate checked for that
     * name against {@code trust}; handshaken, 5 s read timeout.
     */
    public static javax.net.ssl.SSLSocket connect(SSLContext trust, String host, int port, String sni)
            throws IOException {
        javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) trust.getSocketFactory().createSocket(host, port);
        s.setSoTimeout(5000);
        javax.net.ssl.SSLParameters p = s.getSSLParameters();
        p.setServerNames(List.of(new javax.net.ssl.SNIHostName(sni)));
        p.setEndpointIdentificationAlgorithm("HTTPS");
        s.setSSLParameters(p);
        s.startHandshake();
        return s;
    }

    /** Reads PEM certificates (as a Secret's {@code tls.crt} holds them). */
    public static List<X509Certificate> certificates(String pem) {
        try {
            return CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))
                    .stream().map(c -> (X509Certificate) c).toList();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys,
                                                    Duration validity) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(validity)), subject, keys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) {
        try {
            String alg = "EC".equals(key.getAlgorithm()) ? "SHA256withECDSA" : "SHA256withRSA";
            return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(alg)
                    .build(key)));
        } catch (OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a demo certificate", e);
        }
    }

    private static KeyPair keyPair(String algorithm) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
            g.initialize("EC".equals(algorithm) ? 256 : 2048);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** PEM text of a certificate or a private key (PKCS#8). */
    public static String pem(Object o) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(o instanceof PrivateKey k ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(k, null)
                    : o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
