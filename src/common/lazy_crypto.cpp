// The libcrypto (OpenSSL 3) functions lupine calls (common/hash.cpp, rsa.cpp, x509.cpp), forwarding
// to libcrypto opened on first use — see common/system_library.h for why it is not linked.
// The signatures come from OpenSSL's headers: a mismatch does not compile.
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "common/system_library.h"

#include <cstdarg>
#include <cstring>

#define LUPINE_CRYPTO_FUNCTIONS(X)                                                                    \
  X(BIO_ctrl) X(BIO_free) X(BIO_new) X(BIO_new_mem_buf) X(BIO_s_mem) X(CRYPTO_free) X(ERR_clear_error)   \
  X(ERR_error_string_n) X(ERR_get_error) X(EVP_DigestFinal_ex) X(EVP_DigestInit_ex) X(EVP_DigestSign)    \
  X(EVP_DigestSignInit) X(EVP_DigestUpdate) X(EVP_DigestVerify) X(EVP_DigestVerifyInit) X(EVP_MD_CTX_free) \
  X(EVP_MD_CTX_new) X(EVP_PKEY_CTX_set_rsa_padding) X(EVP_PKEY_Q_keygen) X(EVP_PKEY_free)                \
  X(EVP_PKEY_get_base_id) X(EVP_PKEY_get_bits) X(EVP_sha1) X(EVP_sha256) X(EVP_sha512)                  \
  X(OSSL_DECODER_CTX_free) X(OSSL_DECODER_CTX_new_for_pkey) X(OSSL_DECODER_from_data)                    \
  X(OSSL_ENCODER_CTX_free) X(OSSL_ENCODER_CTX_new_for_pkey) X(OSSL_ENCODER_to_data) X(PEM_read_bio_PUBKEY) \
  X(PEM_read_bio_PrivateKey) X(PEM_write_bio_PUBKEY) X(d2i_PUBKEY) X(EVP_MD_fetch) X(PEM_read_bio)        \
  X(PEM_write_bio) X(d2i_X509) X(X509_free)

LUPINE_SYSTEM_LIBRARY_TABLE(LUPINE_CRYPTO_FUNCTIONS,
                            {LUPINE_CRYPTO_SONAME, LUPINE_CRYPTO_DIR, "hashes and signatures"})

long BIO_ctrl(BIO* bio, int command, long number, void* argument) {
  return LUPINE_REAL(BIO_ctrl)(bio, command, number, argument);
}
int BIO_free(BIO* bio) { return LUPINE_REAL(BIO_free)(bio); }
BIO* BIO_new(const BIO_METHOD* method) { return LUPINE_REAL(BIO_new)(method); }
BIO* BIO_new_mem_buf(const void* data, int length) { return LUPINE_REAL(BIO_new_mem_buf)(data, length); }
const BIO_METHOD* BIO_s_mem(void) { return LUPINE_REAL(BIO_s_mem)(); }
void CRYPTO_free(void* pointer, const char* file, int line) { LUPINE_REAL(CRYPTO_free)(pointer, file, line); }
void ERR_clear_error(void) { LUPINE_REAL(ERR_clear_error)(); }
void ERR_error_string_n(unsigned long error, char* buffer, size_t length) {
  LUPINE_REAL(ERR_error_string_n)(error, buffer, length);
}
unsigned long ERR_get_error(void) { return LUPINE_REAL(ERR_get_error)(); }
int EVP_DigestFinal_ex(EVP_MD_CTX* context, unsigned char* digest, unsigned int* size) {
  return LUPINE_REAL(EVP_DigestFinal_ex)(context, digest, size);
}
int EVP_DigestInit_ex(EVP_MD_CTX* context, const EVP_MD* type, ENGINE* engine) {
  return LUPINE_REAL(EVP_DigestInit_ex)(context, type, engine);
}
int EVP_DigestSign(EVP_MD_CTX* context, unsigned char* signature, size_t* signature_size, const unsigned char* data,
                   size_t size) {
  return LUPINE_REAL(EVP_DigestSign)(context, signature, signature_size, data, size);
}
int EVP_DigestSignInit(EVP_MD_CTX* context, EVP_PKEY_CTX** key_context, const EVP_MD* type, ENGINE* engine,
                       EVP_PKEY* key) {
  return LUPINE_REAL(EVP_DigestSignInit)(context, key_context, type, engine, key);
}
int EVP_DigestUpdate(EVP_MD_CTX* context, const void* data, size_t size) {
  return LUPINE_REAL(EVP_DigestUpdate)(context, data, size);
}
int EVP_DigestVerify(EVP_MD_CTX* context, const unsigned char* signature, size_t signature_size,
                     const unsigned char* data, size_t size) {
  return LUPINE_REAL(EVP_DigestVerify)(context, signature, signature_size, data, size);
}
int EVP_DigestVerifyInit(EVP_MD_CTX* context, EVP_PKEY_CTX** key_context, const EVP_MD* type, ENGINE* engine,
                         EVP_PKEY* key) {
  return LUPINE_REAL(EVP_DigestVerifyInit)(context, key_context, type, engine, key);
}
void EVP_MD_CTX_free(EVP_MD_CTX* context) { LUPINE_REAL(EVP_MD_CTX_free)(context); }
EVP_MD_CTX* EVP_MD_CTX_new(void) { return LUPINE_REAL(EVP_MD_CTX_new)(); }
int EVP_PKEY_CTX_set_rsa_padding(EVP_PKEY_CTX* context, int padding) {
  return LUPINE_REAL(EVP_PKEY_CTX_set_rsa_padding)(context, padding);
}
void EVP_PKEY_free(EVP_PKEY* key) { LUPINE_REAL(EVP_PKEY_free)(key); }
int EVP_PKEY_get_base_id(const EVP_PKEY* key) { return LUPINE_REAL(EVP_PKEY_get_base_id)(key); }
int EVP_PKEY_get_bits(const EVP_PKEY* key) { return LUPINE_REAL(EVP_PKEY_get_bits)(key); }
const EVP_MD* EVP_sha1(void) { return LUPINE_REAL(EVP_sha1)(); }
const EVP_MD* EVP_sha256(void) { return LUPINE_REAL(EVP_sha256)(); }
const EVP_MD* EVP_sha512(void) { return LUPINE_REAL(EVP_sha512)(); }
void OSSL_DECODER_CTX_free(OSSL_DECODER_CTX* context) { LUPINE_REAL(OSSL_DECODER_CTX_free)(context); }
OSSL_DECODER_CTX* OSSL_DECODER_CTX_new_for_pkey(EVP_PKEY** key, const char* input_type, const char* input_structure,
                                                const char* key_type, int selection, OSSL_LIB_CTX* library,
                                                const char* properties) {
  return LUPINE_REAL(OSSL_DECODER_CTX_new_for_pkey)(key, input_type, input_structure, key_type, selection, library,
                                                    properties);
}
int OSSL_DECODER_from_data(OSSL_DECODER_CTX* context, const unsigned char** data, size_t* size) {
  return LUPINE_REAL(OSSL_DECODER_from_data)(context, data, size);
}
void OSSL_ENCODER_CTX_free(OSSL_ENCODER_CTX* context) { LUPINE_REAL(OSSL_ENCODER_CTX_free)(context); }
OSSL_ENCODER_CTX* OSSL_ENCODER_CTX_new_for_pkey(const EVP_PKEY* key, int selection, const char* output_type,
                                                const char* output_structure, const char* properties) {
  return LUPINE_REAL(OSSL_ENCODER_CTX_new_for_pkey)(key, selection, output_type, output_structure, properties);
}
int OSSL_ENCODER_to_data(OSSL_ENCODER_CTX* context, unsigned char** data, size_t* size) {
  return LUPINE_REAL(OSSL_ENCODER_to_data)(context, data, size);
}
EVP_PKEY* PEM_read_bio_PUBKEY(BIO* bio, EVP_PKEY** key, pem_password_cb* callback, void* user) {
  return LUPINE_REAL(PEM_read_bio_PUBKEY)(bio, key, callback, user);
}
int PEM_read_bio(BIO* bio, char** name, char** header, unsigned char** data, long* size) {
  return LUPINE_REAL(PEM_read_bio)(bio, name, header, data, size);
}
int PEM_write_bio(BIO* bio, const char* name, const char* header, const unsigned char* data, long size) {
  return LUPINE_REAL(PEM_write_bio)(bio, name, header, data, size);
}
X509* d2i_X509(X509** certificate, const unsigned char** in, long size) {
  return LUPINE_REAL(d2i_X509)(certificate, in, size);
}
void X509_free(X509* certificate) { LUPINE_REAL(X509_free)(certificate); }
EVP_PKEY* PEM_read_bio_PrivateKey(BIO* bio, EVP_PKEY** key, pem_password_cb* callback, void* user) {
  return LUPINE_REAL(PEM_read_bio_PrivateKey)(bio, key, callback, user);
}
int PEM_write_bio_PUBKEY(BIO* bio, const EVP_PKEY* key) { return LUPINE_REAL(PEM_write_bio_PUBKEY)(bio, key); }
EVP_MD* EVP_MD_fetch(OSSL_LIB_CTX* library, const char* algorithm, const char* properties) {
  return LUPINE_REAL(EVP_MD_fetch)(library, algorithm, properties);
}
EVP_PKEY* d2i_PUBKEY(EVP_PKEY** key, const unsigned char** data, long size) {
  return LUPINE_REAL(d2i_PUBKEY)(key, data, size);
}

// Variadic: the arguments after the key type depend on it (OpenSSL's evp_pkey_q_keygen): a size_t
// bit count for "RSA" and "RSA-PSS", a curve name for "EC", none for the others.
EVP_PKEY* EVP_PKEY_Q_keygen(OSSL_LIB_CTX* library, const char* properties, const char* type, ...) {
  auto* keygen = LUPINE_REAL(EVP_PKEY_Q_keygen);
  va_list args;
  va_start(args, type);
  EVP_PKEY* key;
  if (std::strcmp(type, "RSA") == 0 || std::strcmp(type, "RSA-PSS") == 0)
    key = keygen(library, properties, type, va_arg(args, size_t));
  else if (std::strcmp(type, "EC") == 0)
    key = keygen(library, properties, type, va_arg(args, char*));
  else
    key = keygen(library, properties, type);
  va_end(args);
  return key;
}
