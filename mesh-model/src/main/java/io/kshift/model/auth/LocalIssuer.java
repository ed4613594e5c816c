package io.kshift.model.auth;

import io.kshift.model.secret.Pem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.lang.JoseException;

/**
 * The local fleet's token issuer: an RSA key pair whose private half signs tokens ({@code ./kshift up},
 * {@code ./kshift token}, tests) and whose public half the services verify with ({@code mp.jwt.verify.publickey
 * .location}). In a cluster an identity provider takes its place; the services only need its public key or JWKS.
 */
public final class LocalIssuer {
    public static final String SIGNING_KEY = "jwt-signing.pem";
    public static final String VERIFY_KEY = "jwt-verify.pem";

    private final KeyPair keys;
    private final String issuer;

    private LocalIssuer(KeyPair keys, String issuer) {
        this.keys = keys;
        this.issuer = issuer;
    }

    /** A fresh key pair held in memory (tests). */
    public static LocalIssuer ephemeral() {
        return new LocalIssuer(generate(), TokenClaims.LOCAL_ISSUER);
    }

    /**
     * The key pair in {@code dir}, created there on first use: the signing key readable by its owner only, the
     * verification key by anyone.
     */
    public static LocalIssuer in(Path dir) {
        Path signing = dir.resolve(SIGNING_KEY);
        try {
            if (!Files.exists(signing)) {
                Files.createDirectories(dir);
                KeyPair fresh = generate();
                Path tmp = dir.resolve(SIGNING_KEY + ".tmp");
                Files.deleteIfExists(tmp);
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(tmp, Pem.encode("PRIVATE KEY", fresh.getPrivate().getEncoded()));
                Files.move(tmp, signing, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            LocalIssuer issuer = new LocalIssuer(load(signing), TokenClaims.LOCAL_ISSUER);
            Files.writeString(dir.resolve(VERIFY_KEY), issuer.publicKeyPem());
            return issuer;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the token signing key in " + dir + ": " + e.getMessage(), e);
        }
    }

    public String issuer() {
        return issuer;
    }

    /** The verification key as PEM ({@code -----BEGIN PUBLIC KEY-----}), what smallrye-jwt reads. */
    public String publicKeyPem() {
        return Pem.encode("PUBLIC KEY", keys.getPublic().getEncoded());
    }

    /**
     * A signed token for {@code subject} with {@code role} (null: none, a token kshift authenticates but grants
     * nothing); {@code namespaces} empty means every namespace.
     */
    public String mint(String subject, Role role, Collection<String> namespaces, Duration ttl) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(issuer);
        claims.setAudience(TokenClaims.AUDIENCE);
        claims.setSubject(subject);
        claims.setClaim("upn", subject);
        claims.setStringListClaim("groups", role == null ? List.of("unrelated-group") : List.of(role.claimValue()));
        if (!namespaces.isEmpty()) {
            claims.setStringListClaim(TokenClaims.NAMESPACES, List.copyOf(namespaces));
        }
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(Math.max(1, ttl.toSeconds()) / 60f);
        claims.setJwtId(UUID.randomUUID().toString());
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(keys.getPrivate());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setHeader("typ", "JWT");
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException("cannot sign a token: " + e.getMessage(), e);
        }
    }

    private static KeyPair generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair load(Path signing) throws IOException {
        String text = Files.readString(signing, StandardCharsets.US_ASCII);
        String body = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        try {
            KeyFactory rsa = KeyFactory.getInstance("RSA");
            PrivateKey priv = rsa.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
            RSAPrivateCrtKey crt = (RSAPrivateCrtKey) priv;
            PublicKey pub = rsa.generatePublic(new RSAPublicKeySpec(crt.getModulus(), crt.getPublicExponent()));
            return new KeyPair(pub, priv);
        } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
            throw new IOException(signing + " is not a PKCS#8 RSA private key: " + e.getMessage(), e);
        }
    }

}
