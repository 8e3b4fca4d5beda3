package dev.pipework.ipam;

import dev.pipework.model.PipeworkException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS to etcd as etcdctl is given it: a CA bundle ({@code --cacert}) and a client certificate and
 * key ({@code --cert}, {@code --key}), PEM files. Messages name the files, never what is in them.
 */
final class EtcdTls {
    private EtcdTls() {
    }

    /** The TLS context the files make; empty (plain http) when none is given. */
    static Optional<SSLContext> context(Map<String, String> files) {
        if (files.isEmpty()) {
            return Optional.empty();
        }
        String cacert = files.get("etcd-cacert");
        String cert = files.get("etcd-cert");
        String key = files.get("etcd-key");
        if ((cert == null) != (key == null)) {
            throw new PipeworkException("etcd store: etcd-cert and etcd-key go together (ETCDCTL_CERT, ETCDCTL_KEY)");
        }
        try {
            TrustManagerFactory tmf = null;
            if (cacert != null) {
                KeyStore trust = KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                int i = 0;
                for (Certificate c : certificates(cacert)) {
                    trust.setCertificateEntry("ca" + i++, c);
                }
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trust);
            }
            KeyManagerFactory kmf = null;
            if (cert != null) {
                char[] none = new char[0];
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                ks.setKeyEntry("client", privateKey(key), none, certificates(cert).toArray(new Certificate[0]));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, none);
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
            return Optional.of(ctx);
        } catch (GeneralSecurityException | IOException e) {
            throw new PipeworkException("etcd store: cannot make a TLS context of the given files: "
                    + e.getClass().getSimpleName());
        }
    }

    private static java.util.List<Certificate> certificates(String file) {
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            java.util.List<Certificate> list = java.util.List.copyOf(CertificateFactory.getInstance("X.509")
                    .generateCertificates(in));
            if (list.isEmpty()) {
                throw new PipeworkException("etcd store: " + file + " holds no certificate");
            }
            return list;
        } catch (IOException | GeneralSecurityException e) {
            throw new PipeworkException("etcd store: cannot read the certificates of " + file + " ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    /** A PKCS#8 key ({@code BEGIN PRIVATE KEY}); RSA, EC or Ed25519. */
    private static PrivateKey privateKey(String file) {
        String pem;
        try {
            pem = Files.readString(Path.of(file), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new PipeworkException("etcd store: cannot read the key " + file + " (" + e.getClass().getSimpleName() + ")");
        }
        int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) {
            throw new PipeworkException("etcd store: the key " + file + " is not a PKCS#8 PEM key (BEGIN PRIVATE KEY);"
                    + " convert it with openssl pkcs8 -topk8 -nocrypt");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
        } catch (IllegalArgumentException e) {
            throw new PipeworkException("etcd store: the key " + file + " is not valid base64");
        }
        for (String alg : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // The next algorithm, then the error below.
            }
        }
        throw new PipeworkException("etcd store: the key " + file + " is not an RSA, EC or Ed25519 key");
    }
}
