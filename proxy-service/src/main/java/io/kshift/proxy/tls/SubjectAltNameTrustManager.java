package io.kshift.proxy.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A BackendTLSPolicy's {@code subjectAltNames}: the backend's certificate must chain to the trusted CAs (as the
 * factory's trust manager checks it) and carry one of the names, a DNS name ({@code Hostname}) or a URI ({@code URI},
 * compared exactly, as SPIFFE IDs are) — instead of the SNI hostname, which is still sent. A wildcard in the
 * certificate covers one label of a DNS name asked for (RFC 6125); a wildcard asked for matches only itself.
 * Client-side only: it trusts no client.
 */
final class SubjectAltNameTrustManager extends X509ExtendedTrustManager {
    private static final int DNS = 2;
    private static final int URI = 6;
    private final X509ExtendedTrustManager chain;
    private final List<String> dnsNames;
    private final List<String> uris;

    SubjectAltNameTrustManager(TrustManagerFactory factory, List<String> dnsNames, List<String> uris) {
        this.chain = LenientTrustManager.x509(factory, "the backend's CAs");
        this.dnsNames = List.copyOf(dnsNames);
        this.uris = List.copyOf(uris);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] certs, String authType, SSLEngine engine)
            throws CertificateException {
        chain.checkServerTrusted(certs, authType, engine);
        names(certs);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] certs, String authType, Socket socket)
            throws CertificateException {
        chain.checkServerTrusted(certs, authType, socket);
        names(certs);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] certs, String authType) throws CertificateException {
        chain.checkServerTrusted(certs, authType);
        names(certs);
    }

    private void names(X509Certificate[] certs) throws CertificateException {
        if (!matches(certs[0], dnsNames, uris)) {
            throw new CertificateException("the backend's certificate carries none of the subject alternative names"
                    + " the BackendTLSPolicy asks for: " + dnsNames + " " + uris);
        }
    }

    /** Whether the certificate names one of {@code dnsNames} or {@code uris} among its subject alternative names. */
    static boolean matches(X509Certificate cert, List<String> dnsNames, List<String> uris)
            throws CertificateParsingException {
        Collection<List<?>> names = cert.getSubjectAlternativeNames();
        if (names == null) {
            return false;
        }
        for (List<?> n : names) {
            Object type = n.get(0);
            String value = String.valueOf(n.get(1));
            if (type instanceof Integer t && t == DNS && dnsNames.stream().anyMatch(d -> dnsMatch(value, d))) {
                return true;
            }
            if (type instanceof Integer t && t == URI && uris.contains(value)) {
                return true;
            }
        }
        return false;
    }

    static boolean dnsMatch(String inCertificate, String wanted) {
        String have = inCertificate.toLowerCase(Locale.ROOT);
        String want = wanted.toLowerCase(Locale.ROOT);
        if (have.equals(want)) {
            return true;
        }
        if (!have.startsWith("*.") || want.startsWith("*.")) {
            return false;
        }
        int dot = want.indexOf('.');
        return dot > 0 && want.substring(dot).equals(have.substring(1));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] certs, String authType, Socket socket)
            throws CertificateException {
        throw new CertificateException("a backend's trust manager checks servers only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] certs, String authType, SSLEngine engine)
            throws CertificateException {
        throw new CertificateException("a backend's trust manager checks servers only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] certs, String authType) throws CertificateException {
        throw new CertificateException("a backend's trust manager checks servers only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return chain.getAcceptedIssuers();
    }
}
