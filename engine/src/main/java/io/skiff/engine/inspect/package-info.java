/**
 * Reading and tidying a receiver root without a running receiver: what it holds ({@link
 * io.skiff.engine.inspect.RootStatus}), whether its current releases still match their manifests
 * ({@link io.skiff.engine.inspect.CurrentVerifier}), and removing abandoned partial transfers ({@link
 * io.skiff.engine.inspect.AbandonedTransfers}). Each is safe while a receiver runs on the root. Results
 * are {@code io.skiff.engine.api} records; depends on {@code store} and {@code api} only. Each walks the untenanted
 * channels, then every tenant's ({@code ROOT/<tenant>/<channel>}, {@link io.skiff.engine.store.TenantStores}), and
 * its rows name the tenant.
 */
package io.skiff.engine.inspect;
