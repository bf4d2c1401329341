package io.sluice.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made for one test run, and a server certificate it signed for {@code localhost} and
 * {@code 127.0.0.1}, written as PEM files (what Redis, MariaDB and the sinks' CA settings read) and a PKCS12 key store
 * (what a Java server reads). A second, unrelated CA ({@link #otherCaPem()}) is there to show a server is refused
 * when it is not trusted.
 */
public final class TestCertificates {
    /** The password of {@link #serverKeyStore()}. */
    public static final String KEY_STORE_PASSWORD = "sluice-test";

    private final Path dir;
    private final X509Certificate ca;

    private TestCertificates(Path dir, X509Certificate ca) {
        this.dir = dir;
        this.ca = ca;
    }

    /** Generates the authorities and the server's certificate into a new temporary directory. */
    public static TestCertificates generate() {
        try {
            Path dir = Files.createTempDirectory("sluice-tls-");
            KeyPair caKeys = keys();
            X509Certificate ca = sign(new X500Name("CN=Sluice test CA"), caKeys, new X500Name("CN=Sluice test CA"), caKeys, true);
            KeyPair serverKeys = keys();
            X509Certificate server = sign(new X500Name("CN=localhost"), serverKeys, new X500Name("CN=Sluice test CA"), caKeys, false);
            KeyPair otherKeys = keys();
            X509Certificate other = sign(new X500Name("CN=Someone else's CA"), otherKeys, new X500Name("CN=Someone else's CA"), otherKeys, true);
            writePem(dir.resolve("ca.pem"), "CERTIFICATE", ca.getEncoded());
            writePem(dir.resolve("other-ca.pem"), "CERTIFICATE", other.getEncoded());
            writePem(dir.resolve("server.pem"), "CERTIFICATE", server.getEncoded());
            writePem(dir.resolve("server.key"), "PRIVATE KEY", serverKeys.getPrivate().getEncoded());
            Files.writeString(dir.resolve("server-chain.pem"), Files.readString(dir.resolve("server.pem")) + Files.readString(dir.resolve("ca.pem")));
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", serverKeys.getPrivate(), KEY_STORE_PASSWORD.toCharArray(), new Certificate[] {server, ca});
            try (OutputStream out = Files.newOutputStream(dir.resolve("server.p12"))) {
                store.store(out, KEY_STORE_PASSWORD.toCharArray());
            }
            return new TestCertificates(dir, ca);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("could not make test certificates: " + e.getMessage(), e);
        }
    }

    /** The CA that signed the server's certificate, PEM. */
    public Path caPem() {
        return dir.resolve("ca.pem");
    }

    /** A CA that signed nothing here, PEM. */
    public Path otherCaPem() {
        return dir.resolve("other-ca.pem");
    }

    /** The server's certificate, PEM. */
    public Path serverCertPem() {
        return dir.resolve("server.pem");
    }

    /** The server's certificate followed by the CA's, PEM: the chain a server sends, as Elasticsearch's does. */
    public Path serverChainPem() {
        return dir.resolve("server-chain.pem");
    }

    /** The server's private key, PKCS#8 PEM. */
    public Path serverKeyPem() {
        return dir.resolve("server.key");
    }

    /** The server's key and certificate chain, PKCS12, password {@value #KEY_STORE_PASSWORD}. */
    public Path serverKeyStore() {
        return dir.resolve("server.p12");
    }

    /** The CA certificate's SHA-256 fingerprint in hex, as Elasticsearch prints it at its first start. */
    public String caFingerprint() {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(ca.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair keys() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private static X509Certificate sign(X500Name subject, KeyPair subjectKeys, X500Name issuer, KeyPair issuerKeys, boolean authority)
            throws GeneralSecurityException, OperatorCreationException, IOException {
        Instant now = Instant.now();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), subject, subjectKeys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(authority));
        if (authority) {
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } else {
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        }
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuerKeys.getPrivate())));
    }

    private static void writePem(Path file, String type, byte[] der) throws IOException {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        Files.writeString(file, "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n");
    }
}
