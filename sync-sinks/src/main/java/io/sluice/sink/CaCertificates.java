package io.sluice.sink;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** A PEM file of certificate authorities, as the trust of a sink's TLS connections instead of the JVM's trust store. */
public final class CaCertificates {
    private CaCertificates() {
    }

    /**
     * A TLS context that trusts exactly the certificates in {@code pemFile}.
     *
     * @throws FatalSinkException naming the file, when it cannot be read or holds no certificate
     */
    public static SSLContext context(Path pemFile, String setting) {
        try (InputStream in = Files.newInputStream(pemFile)) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new FatalSinkException(setting + "=" + pemFile + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)", null);
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate c : certificates) {
                store.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new FatalSinkException(setting + "=" + pemFile + " could not be read as PEM certificates: " + e.getMessage(), e);
        }
    }
}
