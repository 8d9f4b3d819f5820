/**
 * Splitting image references the way Falco's container plugin does for
 * `container.image.repository` and `container.image.tag`.
 */

/** An image reference cut into repository and tag; either may be empty. */
export interface ImageRepositoryTag {
  repository: string;
  tag: string;
}

/**
 * Splits `image` into repository and tag: a digest after `@` is dropped, and the tag is the
 * text after the last `:` when that colon comes after the last `/` (so a registry port such as
 * `host:5000/app` is not taken for a tag). Without a tag the whole reference is the repository.
 *
 * @example splitImageRepositoryTag('docker.io/library/nginx:1.25') // nginx:1.25 → repository
 *   'docker.io/library/nginx', tag '1.25'
 */
export function splitImageRepositoryTag(image: string): ImageRepositoryTag {
  if (image === '') return { repository: '', tag: '' };
  const at = image.indexOf('@');
  const reference = at === -1 ? image : image.slice(0, at);
  const lastSlash = reference.lastIndexOf('/');
  const lastColon = reference.lastIndexOf(':');
  if (lastColon === -1 || (lastSlash !== -1 && lastColon < lastSlash))
    return { repository: reference, tag: '' };
  return { repository: reference.slice(0, lastColon), tag: reference.slice(lastColon + 1) };
}
