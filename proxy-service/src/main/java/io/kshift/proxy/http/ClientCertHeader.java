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
import java.util.Map;
import javax.security.auth.x500.X500Principal;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Envoy's {@code x-forwarded-client-cert} as Istio's gateways send it ({@code SANITIZE_SET}): a client's own is never
 * passed on, and where the client presented a certificate over TLS, the header says which: {@code Hash} (SHA-256 of
 * the DER, hex), {@code Cert} (the PEM, URL-encoded), {@code Subject} (RFC 2253), {@code URI} (the first URI subject
 * alternative name, empty when none) and {@code DNS} (each DNS one). On a port that lets certificates through
 * without their chaining to its CAs ({@code AllowInsecureFallback}) only {@code Hash} and {@code Cert} are sent:
 * names a certificate claims are no identity until the backend has checked {@code Cert} itself. Values are quoted
 * where they hold {@code , ; = "} and control or non-ASCII characters are escaped ({@code \XX}, UTF-8), so a
 * certificate cannot add fields, elements or header lines. Made once per TLS session, kept in the session.
 */
final class ClientCertHeader {
    static final String NAME = "x-forwarded-client-cert";
    private static final String CACHED = "kshift.xfcc";
    private static final String CACHED_UNVERIFIED = "kshift.xfcc.unverified";
    private static final String NONE = "";
    private static final Map<String, String> KEYWORDS = Map.of("1.2.840.113549.1.9.1", "emailAddress");

    private ClientCertHeader() {
    }

    /**
     * Replaces whatever the client sent as {@link #NAME} with what its TLS session shows, or nothing;
     * {@code unverified}: the port lets certificates through that did not chain.
     */
    static void set(HttpServerRequest request, MultiMap headers, boolean unverified) {
        headers.remove(NAME);
        if (!request.isSSL()) {
            return;
        }
        SSLSession session = request.sslSession();
        if (session == null) {
            return;
        }
        String key = unverified ? CACHED_UNVERIFIED : CACHED;
        Object cached = session.getValue(key);
        String value;
        if (cached instanceof String s) {
            value = s;
        } else {
            value = of(session, unverified);
            session.putValue(key, value);
        }
        if (!value.isEmpty()) {
            headers.set(NAME, value);
        }
    }

    private static String of(SSLSession session, boolean unverified) {
        Certificate[] chain;
        try {
            chain = session.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            return NONE; // no certificate presented
        }
        if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
            return NONE;
        }
        return value(leaf, unverified);
    }

    /** The header's value for a client's leaf certificate. */
    static String value(X509Certificate leaf, boolean unverified) {
        try {
            byte[] der = leaf.getEncoded();
            StringBuilder out = new StringBuilder("Hash=")
                    .append(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der)));
            String pem = "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, new byte[]{'\n'})
                    .encodeToString(der) + "\n-----END CERTIFICATE-----\n";
            out.append(";Cert=\"").append(URLEncoder.encode(pem, StandardCharsets.UTF_8).replace("+", "%20"))
                    .append('"');
            if (unverified) {
                return out.toString();
            }
            // RFC 2253 already escapes , = + < > # ; " and \ with a backslash; the quotes around it keep them.
            out.append(";Subject=\"").append(printable(leaf.getSubjectX500Principal().getName(X500Principal.RFC2253,
                    KEYWORDS))).append('"');
            List<String> uris = names(leaf, 6);
            out.append(";URI=").append(uris.isEmpty() ? "" : field(uris.get(0)));
            for (String dns : names(leaf, 2)) {
                out.append(";DNS=").append(field(dns));
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

    /** A value as Envoy's XFCC grammar has it: quoted (with {@code "} and {@code \} escaped) where it must be. */
    private static String field(String value) {
        String v = printable(value);
        boolean quote = v.chars().anyMatch(c -> c == ',' || c == ';' || c == '=' || c == '"' || c == ' ');
        return quote ? "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"" : v;
    }

    /** Control characters, DEL and non-ASCII as {@code \XX} per UTF-8 byte (RFC 4514's escape); the rest as is. */
    static String printable(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f) {
                if (out != null) {
                    out.append(c);
                }
                continue;
            }
            if (out == null) {
                out = new StringBuilder(s.length() + 8).append(s, 0, i);
            }
            int end = Character.isHighSurrogate(c) && i + 1 < s.length() ? i + 2 : i + 1;
            for (byte b : s.substring(i, end).getBytes(StandardCharsets.UTF_8)) {
                out.append('\\').append(String.format("%02X", b & 0xff));
            }
            i = end - 1;
        }
        return out == null ? s : out.toString();
    }
}
