//! Entry point of the browser app: install the panic hook and mount the app.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(numberly::App);
    #[cfg(target_arch = "wasm32")]
    {
        numberly::components::keep_focus_in_place();
        numberly::components::warm_up();
    }
}
