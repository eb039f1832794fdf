-- E-mail addresses are compared byte for byte. The application stores one canonical form per
-- address (trimmed, ASCII, lower-case; EmailAddress::parse), so a case- and accent-insensitive
-- collation only did harm: it matched `ádá@example.com` to Ada's account while the sign-in
-- throttle counted the two spellings apart (issue 13's reproduced bypass). Existing addresses are
-- already trimmed and lower-case; two that differ only by accents or case could not exist under
-- the old collation, so the unique key holds.
ALTER TABLE users
    MODIFY email VARCHAR(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL;
