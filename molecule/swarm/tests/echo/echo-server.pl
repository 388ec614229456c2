# Answers each connection on port 8000 with "<VERSION> <node name>".
use strict;
use warnings;
use IO::Socket::INET;

open my $file, '<', '/etc/hostname' or die "no host name: $!";
my $name = <$file>;
my $server = IO::Socket::INET->new(LocalPort => 8000, Listen => 64, ReuseAddr => 1) or die "listen: $!";
while (my $client = $server->accept) {
    print $client "$ENV{VERSION} $name";
    close $client;
}
