#!/usr/bin/perl
# Writes a MaxMind DB (.mmdb) file from a JSON description, for the tests and benchmarks that
# need a GeoIP database without committing a binary one.
#
# Usage: perl tests/tools/make_mmdb.pl SPEC.json OUT.mmdb
#
# SPEC.json:
#   {
#     "database_type": "GeoIP2-City",          // optional, default "GeoIP2-City"
#     "ip_version": 6,                         // optional, 4 or 6 (default 6)
#     "record_size": 28,                       // optional, 24, 28 or 32
#     "types": {"my_key": "uint16"},           // optional: types of keys not known below
#     "networks": {
#       "203.0.113.0/24": {"country": {"iso_code": "US", "geoname_id": 6252001},
#                          "subdivisions": [{"iso_code": "CA"}],
#                          "city": {"names": {"en": "San Francisco"}},
#                          "location": {"latitude": 37.77, "longitude": -122.41}},
#       "2001:db8::/32": {...}
#     }
#   }
#
# With ip_version 6 (the GeoIP2 layout), IPv4 networks land in ::/96 and ::ffff:0:0/96 and
# 2002::/16 alias to it, so IPv4 and IPv4-mapped lookups find them as in the real databases.
# Reserved and documentation ranges (203.0.113.0/24, 2001:db8::/32, 10/8...) are kept: tests
# use them on purpose.
#
# Needs MaxMind::DB::Writer (Debian: libmaxmind-db-writer-perl) and JSON::PP (core Perl).
use strict;
use warnings;

use JSON::PP ();
use MaxMind::DB::Writer::Tree;

die "usage: $0 SPEC.json OUT.mmdb\n" unless @ARGV == 2;
my ($spec_path, $out_path) = @ARGV;

my $spec = do {
  open my $fh, '<:raw', $spec_path or die "$spec_path: $!\n";
  local $/;
  JSON::PP->new->decode(<$fh>);
};

# The MaxMind DB type of every key a GeoIP2 City/Country (or DB-IP Lite) record uses. The
# writer asks for a key's type by name alone, wherever the key appears.
my %types = (
  city                => 'map',
  continent           => 'map',
  country             => 'map',
  registered_country  => 'map',
  represented_country => 'map',
  location            => 'map',
  postal              => 'map',
  traits              => 'map',
  names               => 'map',
  subdivisions        => ['array', 'map'],
  code                => 'utf8_string',
  iso_code            => 'utf8_string',
  time_zone           => 'utf8_string',
  type                => 'utf8_string',
  geoname_id          => 'uint32',
  latitude            => 'double',
  longitude           => 'double',
  accuracy_radius     => 'uint16',
  metro_code          => 'uint16',
  confidence          => 'uint16',
  is_in_european_union => 'boolean',
  is_anonymous_proxy  => 'boolean',
  is_satellite_provider => 'boolean',
  is_anycast          => 'boolean',
  %{ $spec->{types} // {} },
);
# Anything else (the language codes under "names": en, de, zh-CN...) is a string.
my $key_type = sub { $types{ $_[0] } // 'utf8_string' };

# JSON::PP's true/false objects become plain 1/0 for the writer's boolean type.
sub plain {
  my ($v) = @_;
  return $v ? 1 : 0 if JSON::PP::is_bool($v);
  return [ map { plain($_) } @$v ] if ref $v eq 'ARRAY';
  return { map { $_ => plain($v->{$_}) } keys %$v } if ref $v eq 'HASH';
  return $v;
}

my $ip_version = $spec->{ip_version} // 6;
my $tree = MaxMind::DB::Writer::Tree->new(
  ip_version               => $ip_version,
  record_size              => $spec->{record_size} // 28,
  database_type            => $spec->{database_type} // 'GeoIP2-City',
  languages                => ['en'],
  description              => { en => 'thrad-events test database (tests/tools/make_mmdb.pl)' },
  map_key_type_callback    => $key_type,
  alias_ipv6_to_ipv4       => ($ip_version == 6 ? 1 : 0),
  remove_reserved_networks => 0,
);

my $networks = $spec->{networks} or die "$spec_path: no \"networks\"\n";
# Sorted, so the same spec always gives the same file.
for my $network (sort keys %$networks) {
  $tree->insert_network($network, plain($networks->{$network}));
}

open my $out, '>:raw', $out_path or die "$out_path: $!\n";
$tree->write_tree($out);
close $out or die "$out_path: $!\n";
