// Makes the compiled CLI directly executable (npm's bin shim also works without this).
import { chmodSync, existsSync } from 'node:fs';
const cli = new URL('../../out/main/cli/earshot.js', import.meta.url);
if (existsSync(cli)) chmodSync(cli, 0o755);
