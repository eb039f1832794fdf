"""The RDS certificate bundle the functions verify the database with (the RdsCaLayer layer,
/opt/rds-ca.pem; docs/operations.md, "The RDS certificate bundle").

    python infra/tests/check_rds_ca.py infra/rds-ca/rds-ca.pem

Every block parses as a CA certificate, and for the regions below the bundle holds the root of
the certificate authority RDS gives new instances (rds-ca-rsa2048-g1) valid today. Prints the
first expiry so its renewal is seen coming.
"""

import datetime
import sys

from cryptography import x509
from cryptography.x509.oid import NameOID

REGIONS = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "eu-north-1",
           "ap-southeast-2", "ap-northeast-1", "ca-central-1", "sa-east-1"]

pem = open(sys.argv[1], "rb").read()
certs = x509.load_pem_x509_certificates(pem)
now = datetime.datetime.now(datetime.timezone.utc)
problems = []
names = {}
for cert in certs:
    cn = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    if not constraints.ca:
        problems.append(f"{cn}: not a certificate authority")
    names[cn] = cert
for region in REGIONS:
    root = names.get(f"Amazon RDS {region} Root CA RSA2048 G1")
    if root is None:
        problems.append(f"{region}: no rds-ca-rsa2048-g1 root")
    elif not root.not_valid_before_utc <= now <= root.not_valid_after_utc:
        problems.append(f"{region}: its rds-ca-rsa2048-g1 root is not valid today")
current = [c for c in certs if c.not_valid_after_utc > now]
first = min(current, key=lambda c: c.not_valid_after_utc)
for p in problems:
    print(f"FAIL rds-ca: {p}")
if not problems:
    print(f"  ok   {len(certs)} RDS certificate authorities; the first still valid expires "
          f"{first.not_valid_after_utc:%Y-%m-%d}")
sys.exit(1 if problems else 0)
