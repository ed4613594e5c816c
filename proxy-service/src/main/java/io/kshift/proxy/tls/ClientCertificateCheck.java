package io.kshift.proxy.tls;

import io.kshift.model.routing.TlsBindings.ClientCertificateRules;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A terminating listener's client certificates held to Istio's {@code subjectAltNames},
 * {@code verifyCertificateSpki} and {@code verifyCertificateHash} after they chain to the client CAs, as Envoy's
 * validation context holds them: one of the names (DNS, URI or IP, as {@link SubjectAltNameTrustManager} matches
 * them), and, where hashes are pinned, a public key or certificate hash from either list. A certificate that fails
 * fails the handshake; a client that presents none is the listener's {@code clientAuth}'s business (OPTIONAL lets it
 * in, as Envoy does). Server-side only.
 */
final class ClientCertificateCheck extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager chain;
    private final SubjectAltNameTrustManager.Wanted names;
    private final List<byte[]> spkiHashes = new ArrayList<>();
    private final List<byte[]> certificateHashes = new ArrayList<>();

    ClientCertificateCheck(TrustManagerFactory factory, ClientCertificateRules rules) {
        this.chain = LenientTrustManager.x509(factory, "the client CAs");
        this.names = SubjectAltNameTrustManager.Wanted.written(rules.subjectAltNames());
        // Validated as 32-byte SHA-256 digests; one that is not could never match, so it is left out.
        rules.spkiHashes().forEach(h -> ClientCertificateRules.spkiHash(h).ifPresent(spkiHashes::add));
        rules.certificateHashes().forEach(h -> ClientCertificateRules.certificateHash(h)
                .ifPresent(certificateHashes::add));
        if (rules.pinned() && spkiHashes.isEmpty() && certificateHashes.isEmpty()) {
            throw new IllegalStateException("none of the pinned client certificate hashes reads");
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] certs, String authType, SSLEngine engine)
            throws CertificateException {
        chain.checkClientTrusted(certs, authType, engine);
        check(certs[0]);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] certs, String authType, Socket socket)
            throws CertificateException {
        chain.checkClientTrusted(certs, authType, socket);
        check(certs[0]);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] certs, String authType) throws CertificateException {
        chain.checkClientTrusted(certs, authType);
        check(certs[0]);
    }

    void check(X509Certificate cert) throws CertificateException {
        if (names.any() && !SubjectAltNameTrustManager.matches(cert, names)) {
            throw new CertificateException("the client certificate carries none of the subject alternative names"
                    + " the server asks for: " + names);
        }
        if (!spkiHashes.isEmpty() || !certificateHashes.isEmpty()) {
            byte[] spki = sha256(cert.getPublicKey().getEncoded());
            byte[] whole = sha256(cert.getEncoded());
            if (spkiHashes.stream().noneMatch(h -> Arrays.equals(h, spki))
                    && certificateHashes.stream().noneMatch(h -> Arrays.equals(h, whole))) {
                throw new CertificateException("the client certificate is not one of those the server pins"
                        + " (verifyCertificateSpki, verifyCertificateHash)");
            }
        }
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] certs, String authType, Socket socket)
            throws CertificateException {
        throw new CertificateException("a listener's trust manager checks clients only");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] certs, String authType, SSLEngine engine)
            throws CertificateException {
        throw new CertificateException("a listener's trust manager checks clients only");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] certs, String authType) throws CertificateException {
        throw new CertificateException("a listener's trust manager checks clients only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return chain.getAcceptedIssuers();
    }
}
