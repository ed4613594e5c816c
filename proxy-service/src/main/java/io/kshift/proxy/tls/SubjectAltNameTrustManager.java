package io.kshift.proxy.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import io.netty.util.NetUtil;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A certificate's subject alternative names checked instead of the SNI hostname (which is still sent): a
 * BackendTLSPolicy's {@code subjectAltNames}, a DestinationRule's (or its ServiceEntry's). The backend's certificate
 * must chain to the trusted CAs (as the factory's trust manager checks it) and carry one of the names: a DNS name,
 * a URI (compared exactly, as SPIFFE IDs are), an email or an IP address. A wildcard in the certificate covers one label of a
 * DNS name asked for (RFC 6125); a wildcard asked for matches only itself. Client-side only: it trusts no client.
 */
final class SubjectAltNameTrustManager extends X509ExtendedTrustManager {
    private static final int EMAIL = 1;
    private static final int DNS = 2;
    private static final int URI = 6;
    private static final int IP = 7;
    private final X509ExtendedTrustManager chain;
    private final Wanted wanted;

    /** The names asked for, by the type of name they match; equal by content (part of a TLS setting's identity). */
    record Wanted(List<String> dnsNames, List<String> uris, List<String> ips, List<String> emails) {
        static final Wanted NONE = new Wanted(List.of(), List.of(), List.of(), List.of());

        Wanted {
            dnsNames = List.copyOf(dnsNames);
            uris = List.copyOf(uris);
            ips = List.copyOf(ips);
            emails = List.copyOf(emails);
        }

        Wanted(List<String> dnsNames, List<String> uris, List<String> ips) {
            this(dnsNames, uris, ips, List.of());
        }

        /**
         * Istio's {@code subjectAltNames}, which do not say their type: as Envoy's matchers, each is compared with
         * the certificate's names of every type (DNS names with wildcards, URIs and emails exactly), an IP literal
         * also as an address.
         */
        static Wanted written(List<String> names) {
            List<String> ips = new ArrayList<>();
            for (String n : names) {
                if (NetUtil.isValidIpV4Address(n) || NetUtil.isValidIpV6Address(n)) {
                    ips.add(n);
                }
            }
            return new Wanted(names, names, ips, names);
        }

        boolean any() {
            return !dnsNames.isEmpty() || !uris.isEmpty() || !ips.isEmpty() || !emails.isEmpty();
        }

        @Override
        public String toString() {
            java.util.Set<String> all = new java.util.LinkedHashSet<>(dnsNames);
            all.addAll(uris);
            all.addAll(ips);
            all.addAll(emails);
            return all.toString();
        }
    }

    SubjectAltNameTrustManager(TrustManagerFactory factory, Wanted wanted) {
        this.chain = LenientTrustManager.x509(factory, "the backend's CAs");
        this.wanted = wanted;
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
        if (!matches(certs[0], wanted)) {
            throw new CertificateException("the backend's certificate carries none of the subject alternative names"
                    + " asked for: " + wanted);
        }
    }

    /** Whether the certificate carries one of the names wanted among its subject alternative names. */
    static boolean matches(X509Certificate cert, Wanted wanted) throws CertificateParsingException {
        Collection<List<?>> names = cert.getSubjectAlternativeNames();
        if (names == null) {
            return false;
        }
        for (List<?> n : names) {
            if (!(n.get(0) instanceof Integer type)) {
                continue;
            }
            String value = String.valueOf(n.get(1));
            boolean hit = switch (type) {
                case DNS -> wanted.dnsNames().stream().anyMatch(d -> dnsMatch(value, d));
                case URI -> wanted.uris().contains(value);
                case EMAIL -> wanted.emails().contains(value);
                case IP -> wanted.ips().stream().anyMatch(ip -> sameAddress(value, ip));
                default -> false;
            };
            if (hit) {
                return true;
            }
        }
        return false;
    }

    /** The JDK writes an IPv6 SAN in full ({@code 0:0:0:0:0:0:0:1}): compared as addresses, not as text. */
    static boolean sameAddress(String inCertificate, String wanted) {
        byte[] have = NetUtil.createByteArrayFromIpAddressString(inCertificate);
        return have != null && java.util.Arrays.equals(have, NetUtil.createByteArrayFromIpAddressString(wanted));
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
