package io.sluice.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;

/** The certificates of a PEM file (a {@code *.ca.file} setting) as a key store of trusted entries. */
public final class PemCertificates {
    private PemCertificates() {
    }

    /**
     * A PKCS12 key store holding every certificate of the file as a trusted entry.
     *
     * @throws CertificateException if the file holds no certificate, or one that cannot be read
     * @throws IOException if the file cannot be read
     */
    public static KeyStore trustStore(Path pemFile) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        try (InputStream in = Files.newInputStream(pemFile)) {
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca-" + i++, c);
            }
            if (i == 0) {
                throw new CertificateException("no PEM certificate (-----BEGIN CERTIFICATE-----) in " + pemFile);
            }
        }
        return store;
    }
}
