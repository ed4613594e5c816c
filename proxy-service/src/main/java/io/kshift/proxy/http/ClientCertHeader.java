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
 * Envoy's {@code x-forwarded-client-cert}, by default as Istio's gateways send it ({@code SANITIZE_SET}): a client's
 * own is never passed on, and where the client presented a certificate over TLS, the header says which: {@code Hash} (SHA-256 of
 * the DER, hex), {@code Cert} (the PEM, URL-encoded), {@code Subject} (RFC 2253), {@code URI} (the first URI subject
 * alternative name, empty when none) and {@code DNS} (each DNS one). On a port that lets certificates through
 * without their chaining to its CAs ({@code AllowInsecureFallback}) only {@code Hash} and {@code Cert} are sent:
 * names a certificate claims are no identity until the backend has checked {@code Cert} itself. Values are quoted
 * where they hold {@code , ; = "} and control or non-ASCII characters are escaped ({@code \XX}, UTF-8), so a
 * certificate cannot add fields, elements or header lines. Made once per TLS session, kept in the session. The
 * node's {@code kshift.proxy.http.forward-client-cert} chooses another of Envoy's modes ({@link Mode}), as Istio's
 * {@code gatewayTopology.forwardClientCertDetails} does: behind a load balancer that terminates mutual TLS itself
 * and says whom in the header, {@code ALWAYS_FORWARD_ONLY} passes its header on.
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
     * Envoy's {@code forward_client_cert_details}; "mutual TLS" below means the client presented a certificate over
     * TLS. {@code SANITIZE}: the client's header is dropped, none set. {@code FORWARD_ONLY}: the client's is passed
     * on over mutual TLS, dropped otherwise. {@code APPEND_FORWARD}: over mutual TLS this proxy's element is added
     * after the client's, dropped otherwise. {@code SANITIZE_SET} (the default, Istio's for gateways): over mutual TLS
     * the header is this proxy's element only, dropped otherwise. {@code ALWAYS_FORWARD_ONLY}: the client's is passed
     * on as it came, whatever the connection.
     */
    public enum Mode { SANITIZE, FORWARD_ONLY, APPEND_FORWARD, SANITIZE_SET, ALWAYS_FORWARD_ONLY }

    /**
     * How a request's header is made: the node's {@code mode}; {@code unverified}: the port lets certificates through
     * that did not chain ({@link #value}), so no client's own header is forwarded but by {@code ALWAYS_FORWARD_ONLY}.
     */
    record Policy(Mode mode, boolean unverified) {
    }

    /**
     * Sets {@link #NAME} in {@code headers} (which hold the client's, copied) as {@code policy} says, from what the
     * request's TLS session shows.
     */
    static void set(HttpServerRequest request, MultiMap headers, Policy policy) {
        if (policy.mode() == Mode.ALWAYS_FORWARD_ONLY) {
            return;
        }
        // Only the forwarding modes read the client's header: the default drops it unread on every request.
        boolean reads = policy.mode() == Mode.FORWARD_ONLY || policy.mode() == Mode.APPEND_FORWARD;
        List<String> client = reads && !policy.unverified() ? headers.getAll(NAME) : List.of();
        headers.remove(NAME);
        if (policy.mode() == Mode.SANITIZE) {
            return;
        }
        String value = forwarded(policy.mode(), client, own(request, policy.unverified()));
        if (value != null) {
            headers.set(NAME, value);
        }
    }

    /**
     * The header to send under {@code mode}, given the client's ({@code client}, one entry per header line, blank
     * ones ignored) and this proxy's element for the client's certificate ({@code own}, empty without mutual TLS);
     * null: none. On a port that lets unverified certificates through, callers pass no client header: presenting any
     * self-made certificate would otherwise let a client name whom it liked.
     */
    static String forwarded(Mode mode, List<String> client, String own) {
        boolean mutual = !own.isEmpty();
        List<String> lines = client.stream().map(String::trim).filter(l -> !l.isEmpty()).toList();
        String theirs = lines.isEmpty() ? null : String.join(",", lines);
        return switch (mode) {
            case SANITIZE -> null;
            case FORWARD_ONLY -> mutual ? theirs : null;
            case APPEND_FORWARD -> !mutual ? null : theirs == null ? own : theirs + "," + own;
            case SANITIZE_SET -> mutual ? own : null;
            case ALWAYS_FORWARD_ONLY -> theirs;
        };
    }

    /** This proxy's element for the client's certificate, or empty when it presented none over TLS. */
    private static String own(HttpServerRequest request, boolean unverified) {
        SSLSession session = request.isSSL() ? request.sslSession() : null;
        if (session == null) {
            return NONE;
        }
        String key = unverified ? CACHED_UNVERIFIED : CACHED;
        if (session.getValue(key) instanceof String cached) {
            return cached;
        }
        String value = of(session, unverified);
        session.putValue(key, value);
        return value;
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
