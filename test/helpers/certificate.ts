/**
 * A real self-signed certificate (openssl, P-256, CN api.example.com, valid until
 * 2126-11-12T17:46:53Z), for tests that configure \`edge.tls: config\`: the program reads the
 * certificate's notAfter for EdgeCertificateExpiring, so a PEM-shaped stand-in no longer does.
 * Its key is not here: nothing under the mocks checks that they match.
 */
export const CONFIG_CERTIFICATE = `-----BEGIN CERTIFICATE-----
MIIBizCCATGgAwIBAgIUTZuoZNXymjfpzxKrIex/cDTad3MwCgYIKoZIzj0EAwIw
GjEYMBYGA1UEAwwPYXBpLmV4YW1wbGUuY29tMCAXDTI2MTIwNjE3NDY1M1oYDzIx
MjYxMTEyMTc0NjUzWjAaMRgwFgYDVQQDDA9hcGkuZXhhbXBsZS5jb20wWTATBgcq
hkjOPQIBBggqhkjOPQMBBwNCAAS38Jf+1QIeuP6Ht4HxTDUFtFVn3YMHLVDHAfse
TJWF1ArJyAKoVEDvzuR03L88OviEhtU0vK2H+rKPZwt/lHpeo1MwUTAdBgNVHQ4E
FgQUsexlLuuBfPJlPW8zhjrlqV21EZIwHwYDVR0jBBgwFoAUsexlLuuBfPJlPW8z
hjrlqV21EZIwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiB5w921
P9+dIfQftuHboZyws79N/Mfy3P8sL8Aquqk3IQIhAMy62DQk4WqBP/DKDxiJ7SJY
md6tSzdb2AKVFICxIjG7
-----END CERTIFICATE-----
`;

/** CONFIG_CERTIFICATE's notAfter, Unix seconds (`openssl x509 -noout -enddate`). */
export const CONFIG_CERTIFICATE_NOT_AFTER = Date.UTC(2126, 10, 12, 17, 46, 53) / 1_000;
