/**
 * Why a recording could not be made, in one line a user can act on (which package to install,
 * which permission is missing, which command was not found). The `record` command prints it as
 * `tracelane: error: MESSAGE` and exits with code 1.
 */
export class RecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordError';
  }
}
