package io.sluice.sink;

import io.sluice.config.PemCertificates;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * What a sink's TLS connections trust instead of the JVM's trust store: the certificate authorities of a PEM file,
 * or one certificate named by its SHA-256 fingerprint (as Elasticsearch prints its CA's at its first start). Host
 * names are checked either way, by the client.
 */
public final class CaCertificates {
    private CaCertificates() {
    }

    /** Whether a text is a SHA-256 fingerprint: 64 hex digits, in pairs separated by colons or not. */
    public static boolean isFingerprint(String text) {
        return normalized(text).matches("[0-9a-f]{64}");
    }

    /**
     * A TLS context that trusts exactly the certificates in {@code pemFile}.
     *
     * @param setting the key that named the file, for messages
     * @throws FatalSinkException naming the file, when it cannot be read or holds no certificate
     */
    public static SSLContext context(Path pemFile, String setting) {
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(PemCertificates.trustStore(pemFile));
            return context(trust.getTrustManagers());
        } catch (IOException | GeneralSecurityException e) {
            throw new FatalSinkException(setting + "=" + pemFile + " could not be read as PEM certificates: " + e.getMessage(), e);
        }
    }

    /**
     * A TLS context that trusts a server whose chain holds the certificate with this SHA-256 fingerprint (its own, or
     * an authority's), each certificate below it signed by the next and all of them within their validity.
     *
     * @param fingerprint 64 hex digits, colons allowed
     */
    public static SSLContext fingerprint(String fingerprint) {
        String expected = normalized(fingerprint);
        return context(new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                for (int i = 0; i < chain.length; i++) {
                    chain[i].checkValidity();
                    if (HexFormat.of().formatHex(sha256(chain[i].getEncoded())).equals(expected)) {
                        return;
                    }
                    if (i + 1 < chain.length) {
                        try {
                            chain[i].verify(chain[i + 1].getPublicKey());
                        } catch (GeneralSecurityException e) {
                            throw new CertificateException("the server's certificate chain is broken at " + chain[i].getSubjectX500Principal(), e);
                        }
                    }
                }
                throw new CertificateException("no certificate of the server's chain has the SHA-256 fingerprint " + expected);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                throw new CertificateException("a sink does not take client connections");
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }});
    }

    private static SSLContext context(TrustManager[] trust) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JVM has no TLS: " + e.getMessage(), e);
        }
    }

    private static byte[] sha256(byte[] der) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(der);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    private static String normalized(String fingerprint) {
        return fingerprint.replace(":", "").strip().toLowerCase(Locale.ROOT);
    }
}
