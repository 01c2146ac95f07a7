// jwt_fixtures.h: test data for the JWT unit tests.
//
// - RFC fixtures, copied from the RFCs' examples (RFC 7515 A.1 and A.3, RFC 8037 A.4,
//   RFC 7520 4.4, RFC 7519 6.1): their expected outcomes are in jwt_fixtures_test.cpp.
// - Keys generated for these tests only with `openssl genpkey` (OpenSSL 3.0); the JWK
//   forms were exported from the same keys with PyJWT. Never use them for anything else.
// - Tokens minted by PyJWT 2.6.0 (Debian python3-jwt) with those keys, claims
//   {"sub":"pyjwt","exp":1700003600,"iat":1700000000,"access":[{"collection":"docs","access":"r"}]}
//   and HMAC secret kPyjwtSecret (HS256) or that secret twice (HS384, HS512).
#pragma once

namespace jwt_fixtures
{

// ---- RFC 7515 appendix A.1 (HS256) and A.3 (ES256); same payload, exp 1300819380 ----
constexpr const char *RFC7515_A1_TOKEN = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
                                         ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6"
                                         "Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
                                         ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
// The "k" of the A.1 JWK (64 bytes once decoded).
constexpr const char *RFC7515_A1_KEY_B64 =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
constexpr const char *RFC7515_A3_TOKEN =
    "eyJhbGciOiJFUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlf"
    "Q"
    ".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
constexpr const char *RFC7515_A3_PUBLIC_JWK =
    R"({"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"})";
constexpr const char *RFC7515_A3_PRIVATE_JWK =
    R"({"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","d":"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"})";
constexpr long long RFC7515_EXP = 1300819380;

// ---- RFC 8037 A.1-A.4: Ed25519; the payload is the text "Example of Ed25519 signing" ----
constexpr const char *RFC8037_PRIVATE_JWK =
    R"({"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})";
constexpr const char *RFC8037_PUBLIC_JWK =
    R"({"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})";
constexpr const char *RFC8037_A4_TOKEN =
    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
    ".hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

// ---- RFC 7520 4.4: HS256 with a kid; the payload is a Tolkien quote, not JSON ----
constexpr const char *RFC7520_4_4_KEY_B64 = "hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg";
constexpr const char *RFC7520_4_4_TOKEN =
    "eyJhbGciOiJIUzI1NiIsImtpZCI6IjAxOGMwYWU1LTRkOWItNDcxYi1iZmQ2LWVlZjMxNGJjNzAzNyJ9"
    ".SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250b"
    "yB0"
    "aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW"
    "91IG"
    "1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4"
    ".s0h6KThzkfBBBkLspW1h84VsJZFTsPPqMDA7g1Md7p0";

// ---- RFC 7519 6.1: an unsecured JWT ({"alg":"none"}, empty signature) ----
constexpr const char *RFC7519_UNSECURED_TOKEN = "eyJhbGciOiJub25lIn0"
                                                ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogI"
                                                "mh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
                                                ".";

// ---- keys generated for these tests ----
constexpr const char *ED25519_PRIVATE_PEM = R"KEY(-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIMKvuQbvozjT/gzJTioklhJZTlzHRqSdktNreFOktlf+
-----END PRIVATE KEY-----
)KEY";
constexpr const char *ED25519_PUBLIC_PEM = R"KEY(-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEA79hOUATlptp2W2jLYVKIdzErHTzUk/AoxlY1krKgTZQ=
-----END PUBLIC KEY-----
)KEY";
constexpr const char *EC_PRIVATE_PEM = R"KEY(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgi76LaJPUhg2HY02S
xTTsyigEqu7Eh47R42INCYmBS+2hRANCAAR3m3ZSOeGjDXTabSMK7sGS1/YDuGIs
tcKrjPm6pbtk5kom94Zaz5f6W7r3UQ+QrJkkrGc9CRvCOUz5V2OL+h8/
-----END PRIVATE KEY-----
)KEY";
constexpr const char *EC_PUBLIC_PEM = R"KEY(-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEd5t2Ujnhow102m0jCu7Bktf2A7hi
LLXCq4z5uqW7ZOZKJveGWs+X+lu691EPkKyZJKxnPQkbwjlM+Vdji/ofPw==
-----END PUBLIC KEY-----
)KEY";
constexpr const char *RSA_PRIVATE_PEM = R"KEY(-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDMSt6OnxJ9+BUH
M4xbfh4JCophIVNlZGWPMzWSSdEDm1V8mPsjbaGq/Cq7vhXLesASRauDMhu2KPr0
6FYboyM43I68pi63UK6F4o1xFBPRlG3tM27zooB//c2HfGDn5XAKqyKi+xIMtzo/
lhVV120c6jgZPhXIpglvppd9z3k2vEfqhDGuiEz9gyoAbokecuru9XGpriJDLplf
05VXZRODVykJaE5AadmfXLnByZvm+TUtSPCHhtKa6jH5g6u4sn9mJp0uH6Q9XgJH
NOAPTSFbPVxsQbJfmyfzpl+I8xytxBF7XmtTkdWIEaYWpaKShKiMAx7LgZIf0CzN
VhP2TlOjAgMBAAECggEAAossGjqA0HC2UlCh/sGjPhmTf4Iat7h4S0An+ppQr+rP
Na3x8o765FYfchb7znzIx3F2oTuOfMYl2cbKy61MUvjsDg1Dp6Sph6E6gZ3uYT2n
4LwzNXVghDd0x6sUyc5hhsB6vezCXMYrQ39q5Ja6FRIVgLr1Knpmw60fVcGvkK7h
xG9V9lQub7pTKRKs7dvoxjPa4HCb3idOBeaL8qeiT0LlYiY91p6baK1laJI1OI0Z
b7kzVqddDKanW9opFdROa/gOU9MSoOIr1fkApdF7Khyk0xoCYX8VjsFlLMuN1Er2
IgJ9iz4rDijWXUbnvflTmOLWdCRVKgbSC5/v0rxxAQKBgQDl5ugplE1Kzlkf1kDw
jNRXzc0eK8mcmCR102vSBBDnUD6eHr2rXMQ0L7iapyW/QvmD4atOdiLdwZnFL7na
qPbkYAqWXZKUgrTh1J+xZs/qfbLHmJd2WHo5Fuii11wpi8PfdFE09E0amSWo7DwB
1qMym2h0NOy9UBlKLsVcV7zCOQKBgQDje7voNSp0aKafr+BrOYNlSl80BtafJ4jU
HIpSAeQvDlNSHjw1cU+tMKS41v7oUvUHoB8uqaQMr/7abvVxsS25Dh3Q5DCvHYwJ
0G/3z/plbKkIW49qnUHbdirvdSAqZYR0O4/cuvd1z5U8gJo/1KS7hSxxLs4lo8wy
Kn4RIkAUuwKBgQCIpy76gA9NVsg9F1J0aZFSO58fvvFQ5lJNwwTEyevuQpFl1Wny
MOrjBjaZnp7eSAYeMQZtVeU1oP0w60Ryx5oxdzDz3dzh76tqzMK7ZRxTCrI41+e3
zbGgu5A+MvqyK0SbTv1yF4C5PazX8stcYGOTEjMNV+QcRz8xDAn98JzfaQKBgDKP
P7Zeiq8Qy2fWiUSLpd6PZxWDJ5R8DvdF2KBddz/WKUKpIaynIJRXqWTDtCgit/8X
4ZZXcfS38SbPXpIEVSs6LfpNnVxubr+Hqjsj6H0+Z1tKLlf917NVUjmiiKGjqorC
6jie/X0bxAmMc7wYIPzknnoRcxP+kdXch+R6/k8dAoGBALcw4SmCHQEA8OrwuTOq
0I21r+yf1Kxz+9UZtllowqr32QPfv8+NR5qd/NeEG1AH8hMlKyvp03aKxWHjKBKx
mkALxbXq83mQSVJk5vcndNZWjEW5Eq+gHS9sQ8sXqsGhpjUyuX6Ap+YrmONpYQtc
oS1PWlkU6aqns65ohcevQaLq
-----END PRIVATE KEY-----
)KEY";
constexpr const char *RSA_PUBLIC_PEM = R"KEY(-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAzErejp8SffgVBzOMW34e
CQqKYSFTZWRljzM1kknRA5tVfJj7I22hqvwqu74Vy3rAEkWrgzIbtij69OhWG6Mj
ONyOvKYut1CuheKNcRQT0ZRt7TNu86KAf/3Nh3xg5+VwCqsiovsSDLc6P5YVVddt
HOo4GT4VyKYJb6aXfc95NrxH6oQxrohM/YMqAG6JHnLq7vVxqa4iQy6ZX9OVV2UT
g1cpCWhOQGnZn1y5wcmb5vk1LUjwh4bSmuox+YOruLJ/ZiadLh+kPV4CRzTgD00h
Wz1cbEGyX5sn86ZfiPMcrcQRe15rU5HViBGmFqWikoSojAMey4GSH9AszVYT9k5T
owIDAQAB
-----END PUBLIC KEY-----
)KEY";
constexpr const char *RSA1024_PRIVATE_PEM = R"KEY(-----BEGIN PRIVATE KEY-----
MIICdgIBADANBgkqhkiG9w0BAQEFAASCAmAwggJcAgEAAoGBAOw8aX/RD/W5x/O0
GVIyqEOc5qKe7wIVVgaC5EdR9umwNkuUvtKA+9JWEAPT7A2hUv6Df8CrAAp7hv8f
/ZN+Pl9gS26QgsAYYPYMrBeNqJBDachTOBsS/SHrvOtNVdZuykIbwi+6MqlRUkbV
1fCrXDBg9W+1eQJ7/PuljvMNmPQ3AgMBAAECgYEA3oybJtqhGnEGucO1BwbKFcg+
Tn1D1Mac4E13GOlSnxxuSg27Jzxz/9csBy8idkTAlxzywWNXCokMyFQu40BPKGN3
+2McQkhLb+PfQoRz4G+X2hGs9kemGCXrmP6GNJ4GxoKILcMwdQE4SShanIBnRZ8G
h3+N6EvBDZUHGALLaiECQQD6LHinFBW3EOsYT80J2DL8of94z2kCO/Q8a7oAPNxe
apEIl61wINC3Hct8OmxWsXlIUD/d/5lmHHqX702qm+zzAkEA8bzYLW9fehWk0qD2
ZL0wCG8C2NIdRdPFl9D5IhxdJVcylkgDfpIedE0mxuh4jxliEYvEZBkyk/jppoYz
BUPcrQJAeQjo+pSaCO6zfxikr32c9WL+8ZkPSdhtyomn/JN1XmyabJjNfXEy6VUN
7LVrUuocLmM88w/FTIS8vyM05TT5BwJASC2KnoZSi7FKtVk6OHoEjYAX6YVTGDZT
GTFcMcMmTK/setKluHUIgtFGcr2WwaNilLqWuQyM/YGkwgPv1/KbQQJAX9zMaNft
Cbs8J5rnMWw1wLAMg7cK5/jiU7QCDqQJud1CiGtkQnIfLzFVDmnbAjA7xP+TEVDy
EmOsPWP3WOdMCQ==
-----END PRIVATE KEY-----
)KEY";
constexpr const char *RSA1024_PUBLIC_PEM = R"KEY(-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDsPGl/0Q/1ucfztBlSMqhDnOai
nu8CFVYGguRHUfbpsDZLlL7SgPvSVhAD0+wNoVL+g3/AqwAKe4b/H/2Tfj5fYEtu
kILAGGD2DKwXjaiQQ2nIUzgbEv0h67zrTVXWbspCG8IvujKpUVJG1dXwq1wwYPVv
tXkCe/z7pY7zDZj0NwIDAQAB
-----END PUBLIC KEY-----
)KEY";
constexpr const char *P384_PRIVATE_PEM = R"KEY(-----BEGIN PRIVATE KEY-----
MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDBVWap5Udpj+epar2Vj
18l3cn+xPLNxQ2uT0ULmYSG9qc4vHCZAVcPVY62IROknva2hZANiAATtVCW0aDR3
rmZfDC+2f+u3uZYBrYPgHWQEHpQjHfCyHiqRhN7u9xmHrUr3dVH696U6v3rHekC6
hxZG5IMXiNjVPRdGrB3rzlho43M4bQtwe79bLqTW1ThrJIlq64bhX8U=
-----END PRIVATE KEY-----
)KEY";
constexpr const char *P384_PUBLIC_PEM = R"KEY(-----BEGIN PUBLIC KEY-----
MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAE7VQltGg0d65mXwwvtn/rt7mWAa2D4B1k
BB6UIx3wsh4qkYTe7vcZh61K93VR+velOr96x3pAuocWRuSDF4jY1T0XRqwd685Y
aONzOG0LcHu/Wy6k1tU4aySJauuG4V/F
-----END PUBLIC KEY-----
)KEY";
constexpr const char *SECP256K1_PRIVATE_PEM = R"KEY(-----BEGIN PRIVATE KEY-----
MIGEAgEAMBAGByqGSM49AgEGBSuBBAAKBG0wawIBAQQgVzLUSlmdYsyQqCUTdXuo
PwEuKQZgqqSXI1woh1xwfH2hRANCAAQY2dyetoIZp1yv0UCVbXHPYx8iKK2vLPXS
SIIdoo8pmV5lTMA2IKwpjhZFHyZD6FBT8Y8E75jC1xU+tqRg1q/N
-----END PRIVATE KEY-----
)KEY";
constexpr const char *SECP256K1_PUBLIC_PEM = R"KEY(-----BEGIN PUBLIC KEY-----
MFYwEAYHKoZIzj0CAQYFK4EEAAoDQgAEGNncnraCGadcr9FAlW1xz2MfIiitryz1
0kiCHaKPKZleZUzANiCsKY4WRR8mQ+hQU/GPBO+YwtcVPrakYNavzQ==
-----END PUBLIC KEY-----
)KEY";
constexpr const char *ED448_PRIVATE_PEM = R"KEY(-----BEGIN PRIVATE KEY-----
MEcCAQAwBQYDK2VxBDsEOVD96Tc48TkssMCjmaoKeVM1WzJJ1sZNvZSbjZKifKBg
QBTgHF8j+NlroXSVMSPruWW5Kt/hbhOntQ==
-----END PRIVATE KEY-----
)KEY";
constexpr const char *ED448_PUBLIC_PEM = R"KEY(-----BEGIN PUBLIC KEY-----
MEMwBQYDK2VxAzoA50DqJ54+aEdCitsWQAz5YetYS07vKN0gvkCNm/gKXx29HGJi
4SgkiiToQJhxd/D7XHON06gKVnkA
-----END PUBLIC KEY-----
)KEY";
constexpr const char *EC_PRIVATE_TRADITIONAL_PEM = R"KEY(-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIIu+i2iT1IYNh2NNksU07MooBKruxIeO0eNiDQmJgUvtoAoGCCqGSM49
AwEHoUQDQgAEd5t2Ujnhow102m0jCu7Bktf2A7hiLLXCq4z5uqW7ZOZKJveGWs+X
+lu691EPkKyZJKxnPQkbwjlM+Vdji/ofPw==
-----END EC PRIVATE KEY-----
)KEY";
constexpr const char *EC_PRIVATE_ENCRYPTED_PEM = R"KEY(-----BEGIN ENCRYPTED PRIVATE KEY-----
MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAhqWSxgwWhhAwICCAAw
DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEA9fPmZLh0BfMBjNIQtDkkgEgZCl
ljXvwdDps2BXTaQRO65PJ9jVDL+KeCK2cNHxF/tpE8zreMsAOOqCUdpzFlYscTPz
x/lVPdK7roSqL1T6ZwdXVx/EKqxKXfzvSliJHL6xZAGy3oGZbAfb9cDQxSU/tO0i
TTbHmByeZNc+6BcFQTKicQsMON2DXUtufDyGpi0vY6H3g2HafUPz9g1a50nzgpc=
-----END ENCRYPTED PRIVATE KEY-----
)KEY";
constexpr const char *ED25519_PRIVATE_JWK =
    R"KEY({"x":"79hOUATlptp2W2jLYVKIdzErHTzUk_AoxlY1krKgTZQ","d":"wq-5Bu-jONP-DMlOKiSWEllOXMdGpJ2S02t4U6S2V_4","kty":"OKP","crv":"Ed25519"})KEY";
constexpr const char *ED25519_PUBLIC_JWK =
    R"KEY({"x":"79hOUATlptp2W2jLYVKIdzErHTzUk_AoxlY1krKgTZQ","kty":"OKP","crv":"Ed25519"})KEY";
constexpr const char *EC_PRIVATE_JWK =
    R"KEY({"kty":"EC","crv":"P-256","x":"d5t2Ujnhow102m0jCu7Bktf2A7hiLLXCq4z5uqW7ZOY","y":"Sib3hlrPl_pbuvdRD5CsmSSsZz0JG8I5TPlXY4v6Hz8","d":"i76LaJPUhg2HY02SxTTsyigEqu7Eh47R42INCYmBS-0"})KEY";
constexpr const char *EC_PUBLIC_JWK =
    R"KEY({"kty":"EC","crv":"P-256","x":"d5t2Ujnhow102m0jCu7Bktf2A7hiLLXCq4z5uqW7ZOY","y":"Sib3hlrPl_pbuvdRD5CsmSSsZz0JG8I5TPlXY4v6Hz8"})KEY";
constexpr const char *RSA_PRIVATE_JWK =
    R"KEY({"kty":"RSA","key_ops":["sign"],"n":"zErejp8SffgVBzOMW34eCQqKYSFTZWRljzM1kknRA5tVfJj7I22hqvwqu74Vy3rAEkWrgzIbtij69OhWG6MjONyOvKYut1CuheKNcRQT0ZRt7TNu86KAf_3Nh3xg5-VwCqsiovsSDLc6P5YVVddtHOo4GT4VyKYJb6aXfc95NrxH6oQxrohM_YMqAG6JHnLq7vVxqa4iQy6ZX9OVV2UTg1cpCWhOQGnZn1y5wcmb5vk1LUjwh4bSmuox-YOruLJ_ZiadLh-kPV4CRzTgD00hWz1cbEGyX5sn86ZfiPMcrcQRe15rU5HViBGmFqWikoSojAMey4GSH9AszVYT9k5Tow","e":"AQAB","d":"AossGjqA0HC2UlCh_sGjPhmTf4Iat7h4S0An-ppQr-rPNa3x8o765FYfchb7znzIx3F2oTuOfMYl2cbKy61MUvjsDg1Dp6Sph6E6gZ3uYT2n4LwzNXVghDd0x6sUyc5hhsB6vezCXMYrQ39q5Ja6FRIVgLr1Knpmw60fVcGvkK7hxG9V9lQub7pTKRKs7dvoxjPa4HCb3idOBeaL8qeiT0LlYiY91p6baK1laJI1OI0Zb7kzVqddDKanW9opFdROa_gOU9MSoOIr1fkApdF7Khyk0xoCYX8VjsFlLMuN1Er2IgJ9iz4rDijWXUbnvflTmOLWdCRVKgbSC5_v0rxxAQ","p":"5eboKZRNSs5ZH9ZA8IzUV83NHivJnJgkddNr0gQQ51A-nh69q1zENC-4mqclv0L5g-GrTnYi3cGZxS-52qj25GAKll2SlIK04dSfsWbP6n2yx5iXdlh6ORbootdcKYvD33RRNPRNGpklqOw8AdajMptodDTsvVAZSi7FXFe8wjk","q":"43u76DUqdGimn6_gazmDZUpfNAbWnyeI1ByKUgHkLw5TUh48NXFPrTCkuNb-6FL1B6AfLqmkDK_-2m71cbEtuQ4d0OQwrx2MCdBv98_6ZWypCFuPap1B23Yq73UgKmWEdDuP3Lr3dc-VPICaP9Sku4UscS7OJaPMMip-ESJAFLs","dp":"iKcu-oAPTVbIPRdSdGmRUjufH77xUOZSTcMExMnr7kKRZdVp8jDq4wY2mZ6e3kgGHjEGbVXlNaD9MOtEcseaMXcw893c4e-raszCu2UcUwqyONfnt82xoLuQPjL6sitEm079cheAuT2s1_LLXGBjkxIzDVfkHEc_MQwJ_fCc32k","dq":"Mo8_tl6KrxDLZ9aJRIul3o9nFYMnlHwO90XYoF13P9YpQqkhrKcglFepZMO0KCK3_xfhlldx9LfxJs9ekgRVKzot-k2dXG5uv4eqOyPofT5nW0ouV_3Xs1VSOaKIoaOqisLqOJ79fRvECYxzvBgg_OSeehFzE_6R1dyH5Hr-Tx0","qi":"tzDhKYIdAQDw6vC5M6rQjbWv7J_UrHP71Rm2WWjCqvfZA9-_z41Hmp3814QbUAfyEyUrK-nTdorFYeMoErGaQAvFterzeZBJUmTm9yd01laMRbkSr6AdL2xDyxeqwaGmNTK5foCn5iuY42lhC1yhLU9aWRTpqqezrmiFx69Bouo"})KEY";
constexpr const char *RSA_PUBLIC_JWK =
    R"KEY({"kty":"RSA","key_ops":["verify"],"n":"zErejp8SffgVBzOMW34eCQqKYSFTZWRljzM1kknRA5tVfJj7I22hqvwqu74Vy3rAEkWrgzIbtij69OhWG6MjONyOvKYut1CuheKNcRQT0ZRt7TNu86KAf_3Nh3xg5-VwCqsiovsSDLc6P5YVVddtHOo4GT4VyKYJb6aXfc95NrxH6oQxrohM_YMqAG6JHnLq7vVxqa4iQy6ZX9OVV2UTg1cpCWhOQGnZn1y5wcmb5vk1LUjwh4bSmuox-YOruLJ_ZiadLh-kPV4CRzTgD00hWz1cbEGyX5sn86ZfiPMcrcQRe15rU5HViBGmFqWikoSojAMey4GSH9AszVYT9k5Tow","e":"AQAB"})KEY";

// ---- tokens minted by PyJWT 2.6.0 ----
constexpr const char *kPyjwtSecret = "0123456789abcdef0123456789abcdef-pyjwt";
constexpr long long kPyjwtExp = 1700003600, kPyjwtIat = 1700000000;
constexpr const char *PYJWT_HS256 =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiJweWp3dCIsImV4cCI6MTcwMDAwMzYwMCwiaWF0IjoxNzAwMDAwMDAwLCJhY2Nlc3MiOlt7ImNvbGxlY3Rpb2"
    "4iOiJkb2NzIiwiYWNjZXNzIjoiciJ9XX0.3dRkZfYjOHo-IsvfFCVgOBOzxciDmJS-9-a5LrxuSLk";
constexpr const char *PYJWT_HS384 =
    "eyJhbGciOiJIUzM4NCIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiJweWp3dCIsImV4cCI6MTcwMDAwMzYwMCwiaWF0IjoxNzAwMDAwMDAwLCJhY2Nlc3MiOlt7ImNvbGxlY3Rpb2"
    "4iOiJkb2NzIiwiYWNjZXNzIjoiciJ9XX0.DQu9sX_drDZXWswhW7wVvBIG-"
    "CEBOnAOuOVRQRhCAMcf4WQbF2nluyBlzEQfU2b_";
constexpr const char *PYJWT_HS512 =
    "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiJweWp3dCIsImV4cCI6MTcwMDAwMzYwMCwiaWF0IjoxNzAwMDAwMDAwLCJhY2Nlc3MiOlt7ImNvbGxlY3Rpb2"
    "4iOiJkb2NzIiwiYWNjZXNzIjoiciJ9XX0.HjyYYE_IReQCq5m1C5Z32R4hy81H1hvHROseNCYAPeqM1qp2F5eBpnuyn3s_"
    "JJLqKi_9QPv8oCZBUvQEGCxJLg";
constexpr const char *PYJWT_EDDSA =
    "eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiJweWp3dCIsImV4cCI6MTcwMDAwMzYwMCwiaWF0IjoxNzAwMDAwMDAwLCJhY2Nlc3MiOlt7ImNvbGxlY3Rpb2"
    "4iOiJkb2NzIiwiYWNjZXNzIjoiciJ9XX0."
    "sxvVRVtjC956KfRHARxqj6NEkSaKPM54162Dlr6IOG9AAqvUS5DFkIwyxjONYg8pOrIU7MrjQYz1T4mmn1X1Bw";
constexpr const char *PYJWT_ES256 =
    "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiJweWp3dCIsImV4cCI6MTcwMDAwMzYwMCwiaWF0IjoxNzAwMDAwMDAwLCJhY2Nlc3MiOlt7ImNvbGxlY3Rpb2"
    "4iOiJkb2NzIiwiYWNjZXNzIjoiciJ9XX0.w7Lp7hKfDN6HeLgODyvXc9VVx0RmSDS0hvmZn9jtNWEAg_Z9uLvz5JJ-"
    "nMcadJJm15GmKw8zaR7XXoQc_X2UWw";
constexpr const char *PYJWT_RS256 =
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiJweWp3dCIsImV4cCI6MTcwMDAwMzYwMCwiaWF0IjoxNzAwMDAwMDAwLCJhY2Nlc3MiOlt7ImNvbGxlY3Rpb2"
    "4iOiJkb2NzIiwiYWNjZXNzIjoiciJ9XX0."
    "TMeWFJKKbCkwQSZvbbr6QBd0ugw4XSxWK3PiPjavUbh3enYVkeE6CyaSKpYDHnLkLBYId3I7y0jcHzwzLpRGxXLhObU-"
    "N9dSmQN1WNpYpGHnZrCVqqDaE6TSKNCoB4vK0szDb3P3q070IZzSqIeSt46V3YcGkrm43MoP2NtxmH96Srd9GYhciniDDE"
    "Q4zb4kL2O634JRNBeJEFx-zDqHk6KSzQaLC-"
    "YQhyb2B2PIUM7PgStk8qZqMgSnzHza8iLKDp1YTwCwB9j8qVrmU7CCHbVGV4dejjSbq7jbxZBwVTpVktenO8TYip79AH5J"
    "nRjnhAHDOoL-phHgJ9eKYncK0w";
constexpr const char *PYJWT_PS256 =
    "eyJhbGciOiJQUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiJweWp3dCIsImV4cCI6MTcwMDAwMzYwMCwiaWF0IjoxNzAwMDAwMDAwLCJhY2Nlc3MiOlt7ImNvbGxlY3Rpb2"
    "4iOiJkb2NzIiwiYWNjZXNzIjoiciJ9XX0.JOzKa6Kfw-"
    "vOniFQrKQmnFUI3P0huyrHrQT5Yy3SmG1tpRsRXHZv16P5azfJYMFU12v1I05Av-"
    "NXAfptgvpiz1gx0nMUTf2HXOmelYXRhIktAcS_D8WCrvKVIz_EKQAAk5R_"
    "hoo1o9wtmwDiuFZFeNgzGDmXthVPky63Dfqk1gHp2ZUU4AMj31h8PPst9pKKNE_NXtmCEdom4Y1IT8ZD6mK1Lt1-"
    "bVf5F3-MrxnyJWTp1yiATmqe5rs6GuileUkK4_1V0yPh3XzFrI4GcGub4uHCWbDfXT1PijlJ7qv_Q_"
    "XGU9zcYLFfIafxs43Mlg_vrF--JWJm5aZ3O1jt6DU3jg";

} // namespace jwt_fixtures
