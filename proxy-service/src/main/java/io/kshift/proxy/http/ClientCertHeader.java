package io.kshift.proxy.http;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Envoy's {@code x-forwarded-client-cert} as Istio's gateways send it ({@code SANITIZE_SET}): a client's own is never
 * passed on, and where the client presented a certificate over TLS, the header says which: {@code Hash} (SHA-256 of
 * the DER, hex), {@code Cert} (the PEM, URL-encoded), {@code Subject} (RFC 2253), {@code URI} and {@code DNS} (its
 * subject alternative names). A backend behind a port that lets untrusted certificates through
 * ({@code AllowInsecureFallback}) can judge the client from it. Made once per TLS session, kept in the session.
 */
final class ClientCertHeader {
    static final String NAME = "x-forwarded-client-cert";
    private static final String CACHED = "kshift.xfcc";
    private static final String NONE = "";

    private ClientCertHeader() {
    }

    /** Replaces whatever the client sent as {@link #NAME} with what its TLS session shows, or nothing. */
    static void set(HttpServerRequest request, MultiMap headers) {
        headers.remove(NAME);
        if (!request.isSSL()) {
            return;
        }
        SSLSession session = request.sslSession();
        if (session == null) {
            return;
        }
        Object cached = session.getValue(CACHED);
        String value;
        if (cached instanceof String s) {
            value = s;
        } else {
            value = of(session);
            session.putValue(CACHED, value);
        }
        if (!value.isEmpty()) {
            headers.set(NAME, value);
        }
    }

    private static String of(SSLSession session) {
        Certificate[] chain;
        try {
            chain = session.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            return NONE; // no certificate presented
        }
        if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
            return NONE;
        }
        return value(leaf);
    }

    /** The header's value for a client's leaf certificate. */
    static String value(X509Certificate leaf) {
        try {
            byte[] der = leaf.getEncoded();
            StringBuilder out = new StringBuilder("Hash=")
                    .append(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der)));
            String pem = "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, new byte[]{'\n'})
                    .encodeToString(der) + "\n-----END CERTIFICATE-----\n";
            out.append(";Cert=\"").append(URLEncoder.encode(pem, StandardCharsets.UTF_8).replace("+", "%20"))
                    .append('"');
            out.append(";Subject=\"").append(quoted(leaf.getSubjectX500Principal().getName())).append('"');
            for (String uri : names(leaf, 6)) {
                out.append(";URI=").append(uri);
            }
            for (String dns : names(leaf, 2)) {
                out.append(";DNS=").append(dns);
            }
            return out.toString();
        } catch (CertificateEncodingException | java.security.NoSuchAlgorithmException e) {
            return NONE;
        }
    }

    /** Subject alternative names of one type (2: DNS, 6: URI). */
    private static List<String> names(X509Certificate cert, int type) {
        try {
            var all = cert.getSubjectAlternativeNames();
            return all == null ? List.of() : all.stream().filter(n -> n.size() == 2 && Integer.valueOf(type)
                    .equals(n.get(0))).map(n -> String.valueOf(n.get(1))).toList();
        } catch (CertificateParsingException e) {
            return List.of();
        }
    }

    /** Inside double quotes, a double quote and a backslash are escaped (Envoy's rule for the header). */
    private static String quoted(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
