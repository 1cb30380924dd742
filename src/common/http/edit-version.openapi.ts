import { applyDecorators } from '@nestjs/common';
import { ApiHeader, ApiResponse } from '@nestjs/swagger';

export const EDIT_VERSION_DOC =
  'The version this edit is based on (as loaded; same as If-Match). If the row has moved on: 412 naming `version`, with currentVersion. Leave it out for an unconditional edit.';

/** OpenAPI for an edit that takes If-Match: the header and the 412 answer. */
export function ApiEditVersion() {
  return applyDecorators(
    ApiHeader({ name: 'If-Match', required: false, description: 'The ETag ("<version>") of the row this edit is based on; recommended.' }),
    ApiResponse({
      status: 412,
      description: 'Changed by someone else since the given version was loaded: body `errors: [{ field: "version", reason }]` and `currentVersion`; reload and redo the edit.',
    }),
  );
}
