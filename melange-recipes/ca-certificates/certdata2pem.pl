#!/usr/bin/perl
# Writes one PEM file per certificate of Mozilla's certdata.txt that NSS trusts to issue server
# certificates, with the rules of Debian's mozilla/certdata2pem.py (ca-certificates 20250419),
# which needs python3-cryptography that stage 0 does not have:
#  - an object is the lines from `CKA_CLASS` to the next empty line, after `BEGINDATA`;
#  - a CKO_NSS_TRUST object whose CKA_TRUST_SERVER_AUTH is CKT_NSS_TRUSTED_DELEGATOR trusts the
#    certificate of the same CKA_LABEL, unless that label is listed in blacklist.txt;
#  - the file name is the label without its quotes, with '/', ' ' and ',' as '_', '(' and ')' as
#    '=', and the label's \xNN escapes as those bytes; a second certificate of one name gets `_2`;
#  - the body is CKA_VALUE (MULTILINE_OCTAL, DER) in base64, 64 columns.
# Usage: certdata2pem.pl CERTDATA BLACKLIST OUTDIR. Prints the files written, one per line.
use strict;
use warnings;
use MIME::Base64 qw(encode_base64);

my ($certdata, $blacklist_file, $outdir) = @ARGV;
die "usage: certdata2pem.pl CERTDATA BLACKLIST OUTDIR\n" unless defined $outdir;

my (@objects, %obj, $in_data, $multiline_field);
open(my $in, '<', $certdata) or die "$certdata: $!\n";
while (my $line = <$in>) {
  chomp $line;
  if (!$in_data) { $in_data = 1 if $line =~ /^BEGINDATA/; next; }
  next if $line =~ /^#/;
  if (defined $multiline_field) {
    if ($line =~ /^END/) { undef $multiline_field; next; }
    $obj{$multiline_field} .= join('', map { chr(oct($_)) } $line =~ /\\([0-3][0-7][0-7])/g);
    next;
  }
  if ($line =~ /^\s*$/) {
    if (%obj) { push @objects, {%obj}; %obj = (); }
    next;
  }
  my ($field, $type, $value) = split(/ /, $line =~ s/^\s+|\s+$//gr, 3);
  die "$certdata:$.: expected 'FIELD TYPE [VALUE]', got '$line'\n" unless defined $type;
  if ($type eq 'MULTILINE_OCTAL') { $multiline_field = $field; $obj{$field} = ''; next; }
  $obj{$field} = $value;
}
push @objects, {%obj} if %obj;
close $in;

my %blacklisted;
if (open(my $bl, '<', $blacklist_file)) {
  while (my $line = <$bl>) {
    $line =~ s/#.*//;
    $line =~ s/^\s+|\s+$//g;
    $blacklisted{$line} = 1 if length $line;
  }
}

my %trusted;
for my $o (@objects) {
  next unless ($o->{CKA_CLASS} // '') eq 'CKO_NSS_TRUST';
  my $label = $o->{CKA_LABEL} // die "$certdata: a trust object without CKA_LABEL\n";
  next if $blacklisted{$label};
  $trusted{$label} = 1 if ($o->{CKA_TRUST_SERVER_AUTH} // '') eq 'CKT_NSS_TRUSTED_DELEGATOR';
}

for my $o (@objects) {
  next unless ($o->{CKA_CLASS} // '') eq 'CKO_CERTIFICATE' && $trusted{$o->{CKA_LABEL}};
  my $name = substr($o->{CKA_LABEL}, 1, -1);
  $name =~ tr{/ ,()}{___==};
  $name =~ s/\\x([0-9A-Fa-f]{2})/chr(hex($1))/ge;
  my $file = "$outdir/$name.crt";
  $file = "$outdir/${name}_2.crt" if -e $file;
  my $base64 = encode_base64($o->{CKA_VALUE}, '');
  open(my $out, '>', $file) or die "$file: $!\n";
  print $out "-----BEGIN CERTIFICATE-----\n", join("\n", $base64 =~ /(.{1,64})/g),
    "\n-----END CERTIFICATE-----\n";
  close $out or die "$file: $!\n";
  print "$file\n";
}
