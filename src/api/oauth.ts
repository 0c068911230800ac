/**
 * oauth4webapi, reached through a module of ours that imports it statically. The bundles keep it
 * in a file of its own (CommonJS), loaded the first time a token is fetched; a dynamic import of
 * that file straight from an ES module bundle would get only its `default` export, while a static
 * import here gets its named exports in every bundle format.
 */
import * as oauth from 'oauth4webapi';

export { oauth };
