package io.skiff.engine.security;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/** Who is at the other end of a TLS connection: the common name of the certificate it presented. */
public final class PeerIdentity {
    private PeerIdentity() {
    }

    /** The peer's identity, or null when it presented no certificate (a session that is not mutual). */
    public static String of(SSLSession session) {
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x509 ? commonName(x509) : null;
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    /** The certificate's subject CN (the most specific one, should it have several), or its whole subject if it has none. */
    static String commonName(X509Certificate certificate) {
        String subject = certificate.getSubjectX500Principal().getName();
        try {
            String cn = null;
            for (Rdn rdn : new LdapName(subject).getRdns()) { // least specific first: the last CN wins
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    cn = rdn.getValue().toString();
                }
            }
            return cn != null ? cn : subject;
        } catch (InvalidNameException e) {
            return subject;
        }
    }
}
