/** Run as an ordinary user: prints whether polkit lets it run pkexec with no prompt (passwordlessElevation.ts). */
import { elevationIsPasswordless } from '../../src/client/passwordlessElevation';

void elevationIsPasswordless().then((yes) => process.stdout.write(yes ? 'passwordless\n' : 'prompt\n'));
