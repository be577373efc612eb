// How a SpamAssassin device's staged files are linted, locally and on the
// device alike: the site directory with `lint_rules` (what `spamassassin
// --lint` does), then each per-domain user_prefs the way spamd reads it for a
// spamc -u user (read_scoreonly_config: user settings only, rule definitions
// refused), the site config restored between files as spamd restores it
// between messages. One Perl process: `spamassassin --lint -p` per domain would
// compile the whole rule set again for each of the cloud's ~35 domains.
// The program holds no single quote, so the device's shell can carry it in one.

/** Perl: ARGV = site directory, then user_prefs files. Exit 0 only when none has an error. */
export const PREFS_LINT_PERL = [
  "use strict; use warnings; use Mail::SpamAssassin;",
  "my ($site, @prefs) = @ARGV;",
  'my $sa = Mail::SpamAssassin->new({ site_rules_filename => $site, userprefs_filename => "/dev/null", dont_copy_prefs => 1, local_tests_only => 1 });',
  "my $errors = $sa->lint_rules();",
  'print "site config $site: $errors error(s)\\n";',
  'my %pristine; $sa->copy_config(undef, \\%pristine) or die "cannot copy the site config\\n";',
  "for my $f (@prefs) {",
  '  die "$f: not a readable file\\n" unless -f $f && -r _;',
  "  $sa->{conf}->{errors} = 0;",
  "  $sa->read_scoreonly_config($f);",
  "  my $e = $sa->{conf}->{errors};",
  '  print "user_prefs $f: $e error(s)\\n";',
  "  $errors += $e;",
  '  $sa->copy_config(\\%pristine, undef) or die "cannot restore the site config\\n";',
  "}",
  "exit($errors ? 1 : 0);",
  "",
].join("\n");
