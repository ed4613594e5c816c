package io.kshift.proxy.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.jboss.logging.Logger;

/**
 * Gateway API's {@code AllowInsecureFallback}: client certificates are asked for with the CA's names, checked against
 * it, and a client whose certificate does not chain to it is let through all the same (a client with none is let
 * through by the server's optional client auth). The handshake still proves the client holds the key of what it
 * presents. Server-side only: it trusts no server.
 */
final class LenientTrustManager extends X509ExtendedTrustManager {
    private static final Logger LOG = Logger.getLogger(LenientTrustManager.class);
    private final X509ExtendedTrustManager strict;

    LenientTrustManager(TrustManagerFactory factory) {
        this.strict = x509(factory, "the client CA");
    }

    /** The factory's X.509 trust manager (the JDK's PKIX one), which checks chains against its CAs. */
    static X509ExtendedTrustManager x509(TrustManagerFactory factory, String what) {
        for (TrustManager t : factory.getTrustManagers()) {
            if (t instanceof X509ExtendedTrustManager x) {
                return x;
            }
        }
        throw new IllegalStateException("no X.509 trust manager for " + what);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        check(() -> strict.checkClientTrusted(chain, authType, socket), chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        check(() -> strict.checkClientTrusted(chain, authType, engine), chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
        check(() -> strict.checkClientTrusted(chain, authType), chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        throw new CertificateException("a listener's trust manager checks clients only");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        throw new CertificateException("a listener's trust manager checks clients only");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a listener's trust manager checks clients only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return strict.getAcceptedIssuers();
    }

    private interface Check {
        void run() throws CertificateException;
    }

    private static void check(Check check, X509Certificate[] chain) {
        try {
            check.run();
        } catch (CertificateException e) {
            LOG.debugf("client certificate %s let through untrusted (AllowInsecureFallback): %s",
                    chain.length == 0 ? "(none)" : chain[0].getSubjectX500Principal(), e.getMessage());
        }
    }
}
